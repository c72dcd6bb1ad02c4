"""Berlin EWR 2001–2020 through the profile: every file, every quirk, sums and MSS cross-check."""

from __future__ import annotations

import csv

import polars as pl
import pytest

from pipelines.profiles import canonical_frame
from pipelines.profiles.reference import MSS, REALDATA, berlin_gebiete
from pipelines.profiles.reference import REFERENCE_DIR as REF
from pipelines.profiles.source import read_source


def _raw_rows(path):
    """The source file read naively (independent of the profile reader)."""
    text = path.read_bytes().decode("latin-1").replace('"', "")
    lines = [x.split(";") for x in text.splitlines() if x.strip()]
    header = lines[0]
    return [dict(zip(header, r, strict=True)) for r in lines[1:] if r[1].strip()]


def _num(text: str) -> int:
    return int(text.replace(",00", ""))


def test_twenty_year_ends_discovered(berlin):
    _, _, found = berlin
    keys = sorted(f.period.key for f, _ in found.files)
    assert keys == [f"{y}-12-31" for y in range(2001, 2021)]
    assert not found.refused


def test_every_file_parses_and_bands_and_sexes_add_up(berlin):
    _, _, found = berlin
    for f, kind in found.files:
        parsed = kind.read(f.path)
        assert parsed.violations.height == 0, (f.relpath, parsed.violations.head(3))
        assert not parsed.extra_columns, f.relpath
        typed = canonical_frame(kind, f, parsed)
        assert typed["anzahl"].null_count() == 0 and typed["alter"].null_count() == 0
        assert set(typed["stichtag"].unique().to_list()) == {f.period.last_day}
        assert set(typed["geschlecht"].unique()) == {"insgesamt"}
        assert set(typed["staatsangehoerigkeit"].unique()) == {"insgesamt"}
        # canonical rows against the source cells, area by area (all 447/448 areas)
        raw = _raw_rows(f.path)
        assert typed["gebiet_id"].n_unique() == len(raw) in (447, 448)
        per_area = dict(typed.group_by("gebiet_id").agg(pl.col("anzahl").sum()).iter_rows())
        for r in raw:
            gid = r["RAUMID"].zfill(8)
            total = _num(r["E_E"])
            fine = sum(_num(v) for k, v in r.items() if k.startswith("E_E") and "_" in k[3:])
            assert fine == total == per_area[gid], (f.relpath, gid)
            assert _num(r["E_EM"]) + _num(r["E_EW"]) == total, (f.relpath, gid)
        # 2014 drops leading zeros: the keys are padded back to the hierarchy's 8 digits
        assert typed["gebiet_id"].str.len_chars().unique().to_list() == [8]


def test_quoted_decimal_years_read_like_plain_years(berlin):
    _, _, found = berlin
    by_year = {f.period.key[:4]: (f, k) for f, k in found.files}
    f, kind = by_year["2012"]
    table = read_source(f.path, kind.file_spec)
    assert "E_EU1" in table.header and "E_U1" not in table.header  # alias applied
    typed = canonical_frame(kind, f)
    first = typed.filter(pl.col("gebiet_id") == "01011101")
    assert first["anzahl"].sum() == 2930  # written as "2930,00" in the file


@pytest.mark.parametrize("edition", [2013, 2015, 2017, 2019])
def test_population_matches_mss_inhabitants(berlin, edition):
    """MSS edition N uses the register of 31.12.(N-1): inhabitants must match per PLR."""
    _, _, found = berlin
    f, kind = next((f, k) for f, k in found.files if f.period.key == f"{edition - 1}-12-31")
    ours = dict(
        canonical_frame(kind, f).group_by("gebiet_id").agg(pl.col("anzahl").sum()).iter_rows()
    )
    with (REALDATA / MSS.format(y=edition, t="2-1")).open(encoding="utf-8") as fh:
        mss = {r["id"]: int(float(r["inhabitants"])) for r in csv.DictReader(fh)}
    assert len(mss) == 447
    assert {k: ours.get(k) for k in mss} == mss


def test_gebiete_reference_is_reproducible_and_covers_all_keys(berlin):
    assert (REF / "berlin" / "gebiete.csv").read_text(encoding="utf-8") == berlin_gebiete()
    ref = pl.read_csv(REF / "berlin" / "gebiete.csv", separator=";", infer_schema=False)
    plr = set(ref.filter(pl.col("ebene") == "planungsraum")["gebiet_id"])
    assert len(plr) == 448
    _, _, found = berlin
    f, kind = next((f, k) for f, k in found.files if f.period.key == "2020-12-31")
    assert set(canonical_frame(kind, f)["gebiet_id"]) <= plr
    assert ref.filter(pl.col("name").str.starts_with("Planungsraum")).height == 0
