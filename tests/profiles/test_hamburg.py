"""Hamburg Stadtteilprofile 2014: XLSX and CSV through one profile; published shares reproduced."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import fastexcel
import polars as pl
import pytest

from pipelines.deliveries.load import build_context, load_file
from pipelines.profiles import canonical_frame, discover_profiled
from pipelines.profiles.reference import HAMBURG_XLSX, REALDATA, hamburg_reference
from pipelines.profiles.reference import REFERENCE_DIR as REF
from pipelines.warehouse.store import Session, init_warehouse

CSV = HAMBURG_XLSX.replace(".xlsx", ".csv")


def _published() -> list[dict]:
    """The 107 rows with their published one-decimal shares, read straight from the XLSX."""
    sheet = fastexcel.read_excel(REALDATA / HAMBURG_XLSX).load_sheet(
        0, header_row=None, dtypes="string"
    )
    rows = [list(r) for r in sheet.to_polars().iter_rows()]
    labels = [str(x or "").strip() for x in rows[2]]
    want = {
        "u18": "Anteil der unter 18-Jährigen in %",
        "65plus": "Anteil der 65-Jährigen und Älteren in %",
        "nichtdeutsch": "Ausländeranteil in %",
        "sgb2": "Anteil der Leistungs-empfänger/-innen nach SGB II in % (Dez 2013)",
    }
    idx = {k: labels.index(v) for k, v in want.items()}
    return [{"name": r[0], **{k: Decimal(r[i]) for k, i in idx.items()}} for r in rows[4:]]


def _share(num: int, den: int) -> Decimal:
    return (Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _frames(found, fmt: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    out = {}
    for f, kind in found.files:
        if f.path.suffix == fmt:
            out[f.kind] = canonical_frame(kind, f)
    return out["einwohner"], out["sgb2"]


def _shares_by_area(ew: pl.DataFrame, sgb2: pl.DataFrame) -> dict[str, dict]:
    """Counts of the finest areas -> every level of the hierarchy -> shares."""
    ref = pl.read_csv(REF / "hamburg" / "gebiete.csv", separator=";", infer_schema=False)
    parent = dict(zip(ref["gebiet_id"], ref["parent_id"], strict=True))
    counts = (
        ew.group_by("gebiet_id")
        .agg(
            ew=pl.col("anzahl").sum(),
            u18=pl.col("anzahl").filter(pl.col("alter") < 18).sum(),
            p65=pl.col("anzahl").filter(pl.col("alter") >= 65).sum(),
            nd=pl.col("anzahl").filter(pl.col("staatsangehoerigkeit") == "nichtdeutsch").sum(),
        )
        .join(sgb2.select("gebiet_id", "rlb"), on="gebiet_id", how="left")
        .with_columns(pl.col("rlb").fill_null(0))
    )
    total: dict[str, dict[str, int]] = {}
    for row in counts.iter_rows(named=True):
        gid = row["gebiet_id"]
        while gid:  # add the finest area's counts to itself and every enclosing area
            acc = total.setdefault(gid, dict.fromkeys(("ew", "u18", "p65", "nd", "rlb"), 0))
            for k in acc:
                acc[k] += row[k]
            gid = parent.get(gid)
    names = dict(zip(ref["gebiet_id"], ref["name"], strict=True))
    return {
        gid: {"name": names[gid], "u18": _share(c["u18"], c["ew"]),
              "65plus": _share(c["p65"], c["ew"]), "nichtdeutsch": _share(c["nd"], c["ew"]),
              "sgb2": _share(c["rlb"], c["ew"])}  # total population: sgb2_quote_nenner gesamt
        for gid, c in total.items()
    }  # fmt: skip


def test_reference_reproducible():
    gebiete, keys = hamburg_reference()
    assert (REF / "hamburg" / "gebiete.csv").read_text(encoding="utf-8") == gebiete
    assert (REF / "hamburg" / "schluessel.csv").read_text(encoding="utf-8") == keys


def test_config_uses_total_population_denominator(hamburg):
    _, config, _ = hamburg
    assert config["indikatoren"]["sgb2_quote_nenner"] == "gesamt"


@pytest.mark.parametrize("fmt", [".xlsx", ".csv"])
def test_published_shares_reproduced_for_all_107_rows(hamburg, tmp_path, fmt):
    _landing, config, found = hamburg
    if fmt == ".csv":  # the CSV export of the same table, in a landing of its own
        (tmp_path / CSV).parent.mkdir(parents=True)
        (tmp_path / CSV).write_bytes((REALDATA / CSV).read_bytes())
        found = discover_profiled(tmp_path, config)
    assert sorted((f.kind, f.period.key) for f, _ in found.files) == [
        ("einwohner", "2013-12-31"), ("sgb2", "2013-12")
    ]  # fmt: skip
    ew, sgb2 = _frames(found, fmt)
    assert ew["gebiet_id"].n_unique() == 100  # 99 Stadtteile + the rest of Hamburg-Mitte
    ours = _shares_by_area(ew, sgb2)
    keys = pl.read_csv(REF / "hamburg" / "schluessel.csv", separator=";", infer_schema=False)
    published = _published()
    assert len(published) == 107 == keys.height
    mismatches = []
    for row, gid in zip(published, keys["gebiet_id"], strict=True):
        got = ours[gid]
        assert got["name"] == row["name"]
        for k in ("u18", "65plus", "nichtdeutsch", "sgb2"):
            if got[k] != row[k]:
                mismatches.append((row["name"], k, got[k], row[k]))
    assert mismatches == []


def test_csv_and_xlsx_give_the_same_canonical_rows(hamburg, tmp_path):
    _landing, config, found = hamburg
    (tmp_path / CSV).parent.mkdir(parents=True)
    (tmp_path / CSV).write_bytes((REALDATA / CSV).read_bytes())
    from_csv = _frames(discover_profiled(tmp_path, config), ".csv")
    from_xlsx = _frames(found, ".xlsx")
    for a, b in zip(from_csv, from_xlsx, strict=True):
        cols = [c for c in a.columns if not c.startswith("_") and c != "gebietsname"]
        assert a.select(cols).sort(cols).equals(b.select(cols).sort(cols))


def test_both_formats_in_one_landing_refused_as_duplicate_period(hamburg, tmp_path):
    _landing, config, _ = hamburg
    for rel in (HAMBURG_XLSX, CSV):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes((REALDATA / rel).read_bytes())
    found = discover_profiled(tmp_path, config)
    assert not found.files
    assert {r.reason for r in found.refused} == {"periode_doppelt"} and len(found.refused) == 4


def test_loads_through_the_real_pipeline(hamburg, tmp_path, monkeypatch):
    """Reference + both profiled deliveries through load_file into a scratch warehouse; the
    audit log names the original file and its sha256."""
    import hashlib

    from pipelines.deliveries.landing import discover
    from pipelines.deliveries.registry import ALL_KINDS

    landing, _, found = hamburg
    wh, q = tmp_path / "warehouse.duckdb", tmp_path / "quarantine.duckdb"
    init_warehouse(wh, q)
    with Session(wh, q) as session:
        (ref,) = discover(landing).by_kind("gebiete")
        assert load_file(ref, build_context(session.warehouse, None), session).status == "geladen"
        ctx = build_context(session.warehouse, None)
        results = []
        for f, kind in found.files:
            # what the one-line wiring in load_file does: use the profiled kind for this file
            monkeypatch.setitem(ALL_KINDS, f.kind, kind)
            results.append(load_file(f, ctx, session))
        audit = session.warehouse.execute(
            "select quelle, datei, sha256, zeilen_geladen, zeilen_quarantaene from audit.loads"
            " where quelle in ('einwohner', 'sgb2') order by quelle"
        ).fetchall()
        n_ew = session.warehouse.execute("select sum(anzahl) from raw.einwohner").fetchone()[0]
    sha = hashlib.sha256((landing / HAMBURG_XLSX).read_bytes()).hexdigest()
    assert [(a[0], a[1], a[2]) for a in audit] == [
        ("einwohner", HAMBURG_XLSX, sha), ("sgb2", HAMBURG_XLSX, sha)
    ]  # fmt: skip
    by_kind = {r.kind: r for r in results}
    assert by_kind["sgb2"].rows_quarantined == 0 and by_kind["sgb2"].rows_loaded == 100
    ew = by_kind["einwohner"]
    insgesamt_allowed = "insgesamt" in {
        e for c in ALL_KINDS["einwohner"].contract().columns if c.name == "geschlecht"
        for e in (c.codes or ())
    }  # fmt: skip
    if insgesamt_allowed:
        assert ew.rows_quarantined == 0 and n_ew == 1_788_994
    else:  # until the contract knows the code `insgesamt`: only that code is quarantined
        assert set(ew.quarantine_reasons) == {"code_unbekannt"}
        assert ew.rows_loaded == 0
