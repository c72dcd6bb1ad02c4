"""gebiete_geometrie: reference/gebiete.geojson, the WGS84 polygons of the finest areas (optional)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from pipelines.deliveries.base import DeliveryFile, DeliveryKind, LoadContext, Transformed
from pipelines.deliveries.cells import (
    concat_quarantine,
    drop_lines,
    empty_quarantine,
    quarantine_rows,
)
from pipelines.deliveries.checks import duplicate_keys
from pipelines.parsing import limits
from pipelines.parsing.table import LINE_COL, FileRejected, ParsedTable


class Geometrie(DeliveryKind):
    """gebiete.geojson: WGS84 polygons of the finest areas (optional)."""

    name = "gebiete_geometrie"

    def read(self, path: Path) -> ParsedTable:
        try:
            doc = json.loads(limits.read_bytes(path).decode("utf-8-sig"))
        except ValueError as exc:
            raise FileRejected("datei_unlesbar", f"kein gültiges JSON: {exc}") from None
        features = doc.get("features") if isinstance(doc, dict) else None
        if not isinstance(features, list):
            raise FileRejected(
                "datei_unlesbar", "kein gültiges GeoJSON: keine FeatureCollection mit 'features'"
            )
        rows = []
        for i, feat in enumerate(features, start=1):
            if not isinstance(feat, dict):
                feat = {}  # not a feature object: quarantined below as pflichtwert_fehlt
            props = feat.get("properties")
            props = props if isinstance(props, dict) else {}
            rows.append(
                {
                    "gebiet_id": None
                    if props.get("gebiet_id") is None
                    else str(props["gebiet_id"]),
                    "geometrie_json": json.dumps(feat.get("geometry"), separators=(",", ":")),
                    LINE_COL: i,  # feature number, not a line
                }
            )
        frame = pl.DataFrame(
            rows, schema={"gebiet_id": pl.String, "geometrie_json": pl.String, LINE_COL: pl.Int64}
        )
        return ParsedTable(frame, 0, [], [], [], "utf-8", rows_read=frame.height)

    def transform(self, file: DeliveryFile, parsed: ParsedTable, ctx: LoadContext) -> Transformed:
        f = parsed.frame
        q = quarantine_rows(
            f,
            pl.col("gebiet_id").is_null() | (pl.col("geometrie_json") == "null"),
            "pflichtwert_fehlt",
            "gebiet_id",
            ["gebiet_id"],
        )
        ok = drop_lines(f, q)
        if f.height and ok.height == 0:
            # replacing the map with nothing would blank every published map
            raise FileRejected(
                "datei_unlesbar", "kein Feature mit gebiet_id und Geometrie: Karte nicht ersetzt"
            )
        dups = duplicate_keys(ok, ["gebiet_id"], "zeile_doppelt", ["gebiet_id"])
        quarantine = (
            concat_quarantine([q, dups]) if (q.height or dups.height) else empty_quarantine()
        )
        ok = drop_lines(ok, dups)
        return Transformed(ok.select("gebiet_id", "geometrie_json"), quarantine, parsed.rows_read)
