"""Property-based: BA symbols in sgb2 rows, and rows read = loaded + quarantined for any mix."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.deliveries.sgb2 import SGB2_MEASURES

AREAS = ["010101", "010102", "010201", "020101", "020102"]
HEADER = (
    "Gebiet;Gebietsname;Bedarfsgemeinschaften;Regelleistungsberechtigte;"
    "Erwerbsfähige Leistungsberechtigte;Nicht erwerbsfähige Leistungsberechtigte;"
    "dar. NEF unter 15 Jahren;Arbeitslose SGB II;Langzeitleistungsbeziehende;Alleinerziehende BG"
)
SYMBOL_VALUE = {"*": None, "-": 0, ".": None, "x": None}
GARBAGE = ["k.A.", "n/a", "1,5", "?", "--", "12a"]

cell = st.one_of(
    st.sampled_from(list(SYMBOL_VALUE)),
    st.integers(0, 5000).map(lambda n: f"{n:,}".replace(",", ".")),
    st.sampled_from(GARBAGE),
)

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def ctx(base_case):
    import duckdb

    from pipelines.deliveries.load import build_context

    con = duckdb.connect(str(base_case.warehouse_db), read_only=True)
    try:
        return build_context(con, b"k" * 32)
    finally:
        con.close()


def _file(name: str, text: str, encoding="utf-8") -> Path:
    d = Path(tempfile.mkdtemp(prefix="prop_"))
    p = d / name
    p.write_bytes(text.encode(encoding))
    return p


def _transform(kind, path, ctx):
    from pipelines.deliveries.base import DeliveryFile

    k = kind
    f = DeliveryFile(k.name, path, f"{k.folder}/{path.name}", k.period_of(path))
    return k.transform(f, k.read(path), ctx)


def _expected(text: str):
    t = text.strip()
    if t in SYMBOL_VALUE:
        return SYMBOL_VALUE[t], t
    return int(t.replace(".", "")), None


@SETTINGS
@given(st.lists(st.lists(cell, min_size=8, max_size=8), min_size=1, max_size=5))
def test_sgb2_symbols_kept_or_quarantined(ctx, table):
    from pipelines.deliveries.sgb2 import Sgb2

    lines = ["Berichtsmonat: Dezember 2024", "", HEADER]
    for area, cells in zip(AREAS, table, strict=False):
        lines.append(";".join([area, "Name", *cells]))
    path = _file("sgb2_2024-12.csv", "\n".join(lines) + "\n© BA\n", "cp1252")
    t = _transform(Sgb2(), path, ctx)
    assert t.rows_read == len(table)
    bad_cells = {
        (4 + i, m)
        for i, cells in enumerate(table)
        for m, c in zip(SGB2_MEASURES, cells, strict=True)
        if c in GARBAGE
    }
    q = t.quarantine.filter(t.quarantine["grund"] == "wert_ungueltig")
    assert {(z, s) for z, s in zip(q["_zeile"], q["spalte"], strict=True)} == bad_cells
    loaded = {r["gebiet_id"]: r for r in t.rows.iter_rows(named=True)}
    quarantined = set(t.quarantine["_zeile"].to_list())
    for i, (area, cells) in enumerate(zip(AREAS, table, strict=False)):
        line = 4 + i
        assert (area in loaded) != (line in quarantined)
        if area not in loaded:
            continue
        for m, c in zip(SGB2_MEASURES, cells, strict=True):
            value, symbol = _expected(c)
            assert (loaded[area][m], loaded[area][f"{m}_symbol"]) == (value, symbol), (m, c)


good_row = st.tuples(
    st.sampled_from(["010101", "010102", "010201"]), st.integers(0, 100),
    st.sampled_from(["m", "w", "d"]), st.sampled_from(["deutsch", "nichtdeutsch"]),
    st.integers(0, 10_000),
).map(lambda r: f"30.06.2024;{r[0]};{r[1]};{r[2]};{r[3]};{r[4]}")  # fmt: skip
bad_row = st.sampled_from([
    "30.06.2024;999999;1;m;deutsch;5",  # gebiet_unbekannt
    "30.06.2024;010101;1;m;deutsch;-5",  # anzahl_negativ
    "30.06.2024;010101;1;q;deutsch;5",  # code_unbekannt
    "31.02.2024;010101;1;m;deutsch;5",  # wert_ungueltig
    "30.06.2024;010101;;m;deutsch;5",  # pflichtwert_fehlt
    "30.06.2024;010101;1;m;deutsch",  # feldanzahl_falsch
    "30.06.2024;010101;1;m;deutsch;99999999999",  # too large
    "30.06.2024;010101;1;m;deutsch;5;x",  # one field too many
])  # fmt: skip


@SETTINGS
@given(st.lists(st.one_of(good_row, bad_row), min_size=0, max_size=40))
def test_rows_read_equal_loaded_plus_quarantined(ctx, body):
    from pipelines.deliveries.cells import concat_quarantine
    from pipelines.deliveries.einwohner import Einwohner
    from pipelines.deliveries.load import _malformed_frame

    text = "stichtag;gebiet_id;alter;geschlecht;staatsangehoerigkeit;anzahl\n" + "".join(
        x + "\n" for x in body
    )
    kind = Einwohner()
    path = _file("einwohner_2024-06-30.csv", text)
    parsed = kind.read(path)
    t = _transform(kind, path, ctx)
    q = concat_quarantine([_malformed_frame(parsed), t.quarantine])
    n_quarantined = q["_zeile"].n_unique() if q.height else 0
    assert t.rows_read == len(body)
    assert t.rows_read == t.rows.height + n_quarantined
    # a line is either loaded or quarantined, never both
    assert t.rows.height == len(body) - n_quarantined
