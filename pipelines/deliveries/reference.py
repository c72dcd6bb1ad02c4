"""Reference data: area hierarchy, boundary changes, street directory, products, targets, maps.

Reference files replace their table as a whole. They are checked for consistency
before anything else is loaded, because every other delivery is validated against them.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from pipelines.deliveries.base import DeliveryFile, DeliveryKind, LoadContext, Transformed
from pipelines.deliveries.cells import concat_quarantine, drop_lines, empty_quarantine
from pipelines.deliveries.checks import contract_violations, duplicate_keys, split_valid
from pipelines.parsing import limits
from pipelines.parsing.table import LINE_COL, FileRejected, ParsedTable


class _Reference(DeliveryKind):
    folder = "reference"
    period_kind = None
    keys: list[str] = []
    out_columns: list[str] = []
    # an empty delivery would wipe what every other load is checked against
    must_have_rows = False

    def transform(self, file: DeliveryFile, parsed: ParsedTable, ctx: LoadContext) -> Transformed:
        typed, bad = self.typed(parsed, file)
        if self.must_have_rows and parsed.rows_read == 0:
            raise FileRejected(
                "referenz_ungueltig",
                "Datei enthält keine Datenzeilen; der bisherige Stand bleibt gültig",
            )
        show = self.out_columns
        quarantine = concat_quarantine([bad, contract_violations(self.name, typed, show)])
        inconsistent = quarantine.filter(pl.col("grund") == "referenz_ungueltig")
        if inconsistent.height:
            # the contract rejects the whole file: dropping the offending rows would
            # leave a hierarchy (or crosswalk) that silently differs from the delivered one
            self.validate(typed)  # raises with the specific problem where it can name one
            lines = sorted(set(inconsistent.get_column(LINE_COL).to_list()))
            raise FileRejected(
                "referenz_ungueltig",
                "Referenzdaten widersprüchlich in Zeile " + _lines(lines),
            )
        ok, quarantine = split_valid(typed, [quarantine], self.keys, show=show)
        ok = self.validate(ok)
        self.check_against(ok, ctx)
        return Transformed(ok.select(self.out_columns), quarantine, parsed.rows_read)

    def validate(self, frame: pl.DataFrame) -> pl.DataFrame:
        return frame

    def check_against(self, frame: pl.DataFrame, ctx: LoadContext) -> None:
        """Consistency with the reference data already loaded (raises FileRejected)."""


def overlapping_validity(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Rows whose validity overlaps an earlier row of the same key (LINE_COL, key columns).

    Validity is [gueltig_ab, gueltig_bis], open ends unbounded: two entries valid on one day
    would be resolved silently by whichever a join meets first.
    """
    start = pl.col("gueltig_ab").fill_null(pl.date(1, 1, 1))
    end = pl.col("gueltig_bis").fill_null(pl.date(9999, 12, 31))
    ordered = frame.with_columns(start.alias("_ab"), end.alias("_bis")).sort([*keys, "_ab"])
    prev_end = pl.col("_bis").cum_max().shift(1).over(keys)
    return ordered.filter(prev_end.is_not_null() & (prev_end >= pl.col("_ab")))


def _lines(lines: list[int], limit: int = 10) -> str:
    shown = ", ".join(str(x) for x in lines[:limit])
    return shown + (f" und {len(lines) - limit} weiteren" if len(lines) > limit else "")


class Gebiete(_Reference):
    name = table = file_stem = "gebiete"
    must_have_rows = True
    keys = ["gebiet_id", "gueltig_ab"]
    out_columns = [
        "gebiet_id",
        "name",
        "ebene",
        "ebene_rang",
        "parent_id",
        "gueltig_ab",
        "gueltig_bis",
    ]

    def validate(self, frame: pl.DataFrame) -> pl.DataFrame:
        validate_hierarchy(frame)
        return frame.with_columns(pl.col("ebene_rang").cast(pl.Int32))


def validate_hierarchy(frame: pl.DataFrame) -> None:
    """Parents exist, ranks increase downwards, no cycles, one or more roots (rang 0)."""
    problems: list[str] = []
    if LINE_COL in frame.columns:
        dup = (
            frame.filter(pl.len().over("gebiet_id", "gueltig_ab") > 1)
            .group_by("gebiet_id", maintain_order=True)
            .agg(pl.col(LINE_COL).sort())
        )
        for g, lines in dup.iter_rows():
            problems.append(f"Gebiet {g} doppelt (Zeilen {_lines(lines)})")
    if LINE_COL in frame.columns:
        keyed = frame.filter(
            pl.col("gebiet_id").is_not_null()
            & (pl.len().over("gebiet_id", "gueltig_ab") == 1)  # exact duplicates: see above
        )
        overlap = overlapping_validity(keyed, ["gebiet_id"])
        for g, ln in overlap.select("gebiet_id", LINE_COL).iter_rows():
            problems.append(f"Gebiet {g}: Gültigkeit überlappt (Zeile {ln})")
    frame = frame.filter(pl.col("gebiet_id").is_not_null())
    ids = set(frame.get_column("gebiet_id").to_list())
    rank = dict(zip(frame["gebiet_id"].to_list(), frame["ebene_rang"].to_list(), strict=True))
    parent = dict(zip(frame["gebiet_id"].to_list(), frame["parent_id"].to_list(), strict=True))
    roots = [g for g, p in parent.items() if p is None]
    if not roots:
        problems.append("kein Gebiet ohne übergeordnetes Gebiet (Gesamtstadt fehlt)")
    for g, p in parent.items():
        if p is None:
            continue
        if p not in ids:
            problems.append(f"Gebiet {g}: übergeordnetes Gebiet {p} fehlt")
        elif rank[p] is not None and rank[g] is not None and rank[p] >= rank[g]:
            problems.append(f"Gebiet {g}: ebene_rang {rank[g]} nicht feiner als {p} ({rank[p]})")
    for g in ids:  # cycle detection by walking up
        seen, cur = set(), g
        while cur is not None and cur in parent:
            if cur in seen:
                problems.append(f"Zyklus in der Gebietshierarchie bei {g}")
                break
            seen.add(cur)
            cur = parent[cur]
    if problems:
        raise FileRejected("referenz_ungueltig", "; ".join(sorted(set(problems))[:5]))


class Umschluessel(_Reference):
    name = table = "gebiete_umschluessel"
    file_stem = "gebiete_umschluessel"
    keys = ["alt_gebiet_id", "neu_gebiet_id", "wechsel_am"]
    out_columns = ["alt_gebiet_id", "neu_gebiet_id", "wechsel_am", "anteil"]

    def validate(self, frame: pl.DataFrame) -> pl.DataFrame:
        frame_ok = frame.filter(pl.col("alt_gebiet_id").is_not_null())
        sums = frame_ok.group_by("alt_gebiet_id", "wechsel_am").agg(pl.col("anteil").sum())
        off = sums.filter((pl.col("anteil") - 1.0).abs() > 1e-6).sort("alt_gebiet_id")
        if off.height:
            detail = ", ".join(
                f"{a}: {s:.4f}".replace(".", ",")
                for a, s in zip(off["alt_gebiet_id"], off["anteil"], strict=True)
            )
            raise FileRejected(
                "referenz_ungueltig", f"Anteile je altem Gebiet summieren nicht zu 1 ({detail})"
            )
        return frame


class Adressen(_Reference):
    name = table = file_stem = "adressen"
    must_have_rows = True
    keys = ["strasse", "hausnummer", "zusatz", "gueltig_ab"]
    out_columns = ["strasse", "hausnummer", "zusatz", "gebiet_id", "gueltig_ab", "gueltig_bis"]

    def check_against(self, frame: pl.DataFrame, ctx: LoadContext) -> None:
        """Every address points to a finest area of the loaded hierarchy, and one address
        (spelled as matching compares it) is in one area on any day."""
        from pipelines.protection.addresses import prepare_directory

        finest = ctx.areas.get_column("gebiet_id") if ctx.areas is not None else pl.Series([])
        unknown = frame.filter(~pl.col("gebiet_id").is_in(finest.implode()))
        if unknown.height:
            shown = ", ".join(
                f"{g} (Zeile {ln})"
                for g, ln in unknown.select("gebiet_id", LINE_COL).head(10).iter_rows()
            )
            more = f" und {unknown.height - 10} weitere" if unknown.height > 10 else ""
            raise FileRejected(
                "referenz_ungueltig",
                f"Adressen verweisen auf Gebiete, die in gebiete.csv nicht als feinste Ebene "
                f"vorkommen: {shown}{more}; ihre Fälle fehlten in jeder Summe",
            )
        keyed = pl.concat(
            [frame.select(LINE_COL), prepare_directory(frame).select("_str", "_hnr", "_zus",
             "gueltig_ab", "gueltig_bis")], how="horizontal",
        )  # fmt: skip
        overlap = overlapping_validity(keyed, ["_str", "_hnr", "_zus"])
        if overlap.height:
            lines = sorted(overlap.get_column(LINE_COL).to_list())
            raise FileRejected(
                "referenz_ungueltig",
                "dieselbe Adresse mehrfach mit überlappender Gültigkeit (gueltig_ab/gueltig_bis) "
                f"in Zeile {_lines(lines)}: welches Gebiet gilt, wäre Zufall",
            )


class Produkte(_Reference):
    name = table = file_stem = "produkte"
    keys = ["produkt"]
    out_columns = ["produkt", "bereich"]


class Ziele(_Reference):
    name = table = file_stem = "ziele"
    keys = ["indikator_id", "gebiet_id", "jahr"]
    out_columns = ["indikator_id", "gebiet_id", "jahr", "zielwert", "richtung", "beschluss"]


class Geometrie(DeliveryKind):
    """gebiete.geojson: WGS84 polygons of the finest areas (optional)."""

    name = "gebiete_geometrie"
    table = "gebiete_geometrie"
    folder = "reference"
    file_stem = "gebiete"
    period_kind = None
    suffixes = (".geojson", ".json")

    def contract_version(self) -> str:
        return "1.0.0"

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
        from pipelines.deliveries.cells import quarantine_rows

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
