"""Formats, encodings and the plausibility of the synthetic social structure."""

from __future__ import annotations

import datetime as dt

import fastexcel
import numpy as np

from pipelines.synthetic.formats import money_text
from pipelines.synthetic.geography import hilbert_index
from pipelines.synthetic.sgb2 import MEASURES, suppress
from pipelines.synthetic.sgb12 import regelaltersgrenze_months

from ._helpers import age_on, parse_date, parse_money, read_lines, read_table


def test_encodings_are_really_mixed(small_city):
    root, manifest = small_city
    encodings = {v["encoding"] for v in manifest["files"].values()}
    assert {"utf-8", "utf-8-sig", "cp1252", "xlsx"} <= encodings
    for rel, meta in manifest["files"].items():
        raw = (root / rel).read_bytes()
        if meta["encoding"] == "utf-8-sig":
            assert raw.startswith(b"\xef\xbb\xbf")
            raw[3:].decode("utf-8")
        elif meta["encoding"] == "utf-8":
            assert not raw.startswith(b"\xef\xbb\xbf")
            raw.decode("utf-8")
        elif meta["encoding"] == "cp1252":
            text = raw.decode("cp1252")
            if any(ord(c) > 127 for c in text):
                try:
                    raw.decode("utf-8")
                    raise AssertionError(f"{rel} decodes as UTF-8")
                except UnicodeDecodeError:
                    pass
        if meta["format"] == "csv":
            assert b"\r\n" in raw and raw.count(b"\n") == raw.count(b"\r\n")
    # umlauts survive in both encodings
    sgb12 = [k for k, v in manifest["files"].items() if v["kind"] == "sgb12"]
    cp = [k for k in sgb12 if manifest["files"][k]["encoding"] == "cp1252"]
    utf = [k for k in sgb12 if manifest["files"][k]["encoding"] != "cp1252"]
    assert cp and utf
    assert "ü" in (root / cp[0]).read_bytes().decode("cp1252")
    assert "ı" in "".join((root / k).read_bytes().decode("utf-8-sig") for k in utf[:12])


def test_notations_are_mixed(small_city):
    root, manifest = small_city
    styles, orders = set(), set()
    for rel, meta in manifest["files"].items():
        if meta["kind"] in ("einwohner", "sgb12", "sgb8") and meta["format"] == "csv":
            header, rows = read_table(root, rel, meta["encoding"])
            orders.add((meta["kind"], tuple(header)))
            col = "beginn" if meta["kind"] == "sgb8" else "stichtag"
            if col in header and rows:
                styles.add("de" if "." in rows[0][header.index(col)] else "iso")
    assert styles == {"de", "iso"}
    assert len({o for k, o in orders if k == "sgb12"}) >= 2
    fin = read_lines(
        root,
        "finanzen/finanzen_2024.csv",
        manifest["files"]["finanzen/finanzen_2024.csv"]["encoding"],
    )
    assert any(",".join([]) or ("." in c and "," in c) for line in fin[1:] for c in line.split(";"))


def test_sgb2_csv_and_xlsx_layout(small_city):
    root, manifest = small_city
    lines = read_lines(root, "sgb2/sgb2_2024-12.csv", "cp1252")
    assert "Berichtsmonat: Dezember 2024" in lines[:6]
    assert lines[-1] == "© Statistik der Bundesagentur für Arbeit"
    assert lines[6].startswith("Gebiet;Gebietsname;Bedarfsgemeinschaften;Regelleistungsberechtigte")
    body = [line for line in lines[7:] if line[:1].isdigit()]
    cells = [c for line in body for c in line.split(";")[2:]]
    assert "*" in cells or "-" in cells
    xlsx = sorted(k for k, v in manifest["files"].items() if v["format"] == "xlsx")
    sheet = fastexcel.read_excel(str(root / xlsx[0])).load_sheet(0, header_row=None)
    first_col = [str(v) for v in sheet.to_polars().to_series(0).to_list() if v is not None]
    assert any(v.startswith("Berichtsmonat: ") for v in first_col)
    assert "Gebiet" in first_col and first_col[-1].startswith("©")


def _sgb2_rows(root, rel):
    """The finest areas' rows (the city's own total row, key 00, left out) and the header line."""
    lines = read_lines(root, rel, "cp1252")
    h = next(i for i, line in enumerate(lines) if line.startswith("Gebiet;"))
    rows = [line.split(";") for line in lines[h + 1 :] if line[:1].isdigit()]
    return [r for r in rows if r[0] != "00"], h


def test_sgb2_tables_carry_the_citys_exact_total_first(small_city):
    """As the BA prints it: the municipality's row first, the sum of the finest areas
    (exact where they hold a `*`), so the city's SGB II figures need no bounds."""
    root, manifest = small_city
    num = lambda c: 0 if c == "-" else int(c.replace(".", ""))  # noqa: E731
    checked = 0
    for rel, meta in manifest["files"].items():
        if meta["kind"] != "sgb2" or meta["format"] != "csv":
            continue
        if any(d["file"] == rel for d in manifest["defects"]):
            continue
        lines = read_lines(root, rel, "cp1252")
        h = next(i for i, line in enumerate(lines) if line.startswith("Gebiet;"))
        city = lines[h + 1].split(";")
        assert city[0] == "00"
        parts, _ = _sgb2_rows(root, rel)
        for j in range(2, len(city)):
            if "*" in (city[j], *(r[j] for r in parts)):
                continue  # a `*` part: the city row is at least the known sum
            assert num(city[j]) == sum(num(r[j]) for r in parts), (rel, j)
        checked += 1
    assert checked > 10


def test_sgb2_identities_hold_outside_listed_defects(small_city):
    root, manifest = small_city
    listed = {(d["file"], d["line"]) for d in manifest["defects"]}
    checked = 0
    for rel, meta in manifest["files"].items():
        if (
            meta["kind"] != "sgb2"
            or meta["format"] != "csv"
            or any(d["file"] == rel and d["level"] == "file" for d in manifest["defects"])
        ):
            continue
        rows, h = _sgb2_rows(root, rel)
        for i, r in enumerate(rows):
            v = {
                m: (None if c == "*" else 0 if c == "-" else int(c.replace(".", "")))
                for m, c in zip(MEASURES, r[2:], strict=True)
            }
            if (rel, h + 3 + i) in listed:  # after the header and the city row
                continue
            # a single suppressed cell of the identity would be recoverable
            assert sum(v[m] is None for m in ("rlb", "elb", "nef")) != 1
            if None not in (v["rlb"], v["elb"], v["nef"]):
                assert v["rlb"] == v["elb"] + v["nef"]
                checked += 1
            for small, big in (
                ("nef_u15", "nef"),
                ("alo_sgb2", "elb"),
                ("lzb", "elb"),
                ("bg", "rlb"),
            ):
                if v[small] is not None and v[big] is not None:
                    assert v[small] <= v[big]
            assert all(x is None or x == 0 or x >= 3 for x in v.values())
    assert checked > 500


def _population(root, manifest, stichtag):
    rel = f"einwohner/einwohner_{stichtag}.csv"
    header, rows = read_table(root, rel, manifest["files"][rel]["encoding"])
    c = {k: i for i, k in enumerate(header)}
    out: dict[str, dict[str, int]] = {}
    for r in rows:
        a, n = int(r[c["alter"]]), int(r[c["anzahl"]])
        d = out.setdefault(r[c["gebiet_id"]], {"ew": 0, "u65": 0, "u15": 0, "o65": 0, "nd": 0})
        d["ew"] += n
        d["u65"] += n * (a <= 64)
        d["u15"] += n * (a <= 14)
        d["o65"] += n * (a >= 65)
        d["nd"] += n * (r[c["staatsangehoerigkeit"]] == "nichtdeutsch")
    return out


def test_rates_are_believable(small_city):
    root, manifest = small_city
    pop = _population(root, manifest, "2024-12-31")
    rows, _ = _sgb2_rows(root, "sgb2/sgb2_2024-12.csv")
    num = lambda c: 0 if c in ("*", "-") else int(c.replace(".", ""))  # noqa: E731
    rlb = {r[0]: num(r[3]) for r in rows}
    kid = {r[0]: num(r[6]) for r in rows}
    city_q = sum(rlb.values()) / sum(p["u65"] for p in pop.values()) * 100
    city_k = sum(kid.values()) / sum(p["u15"] for p in pop.values()) * 100
    assert 8 <= city_q <= 18
    assert city_k > city_q
    big = [g for g, p in pop.items() if p["ew"] >= 300]
    quotes = {g: rlb[g] / pop[g]["u65"] * 100 for g in big}
    assert max(quotes.values()) >= 22 and min(quotes.values()) <= 6
    # deprivation drives the foreigner share too
    q = np.array([quotes[g] for g in big])
    nd = np.array([pop[g]["nd"] / pop[g]["ew"] for g in big])
    assert np.corrcoef(q, nd)[0, 1] > 0.3
    assert 45_000 <= sum(p["ew"] for p in pop.values()) <= 56_000

    # GruSi im Alter and SGB XII volume
    rel = "sgb12/sgb12_2024-12-31.csv"
    header, srows = read_table(root, rel, manifest["files"][rel]["encoding"])
    c = {k: i for i, k in enumerate(header)}
    grusi = sum(r[c["leistungsart"]] == "GRUSI_ALTER" and r[c["einrichtung"]] == "N" for r in srows)
    assert 2 <= grusi / sum(p["o65"] for p in pop.values()) * 100 <= 9
    assert 0.01 <= len(srows) / sum(p["ew"] for p in pop.values()) <= 0.03
    needs = [parse_money(r[c["bruttobedarf_monat"]]) for r in srows]
    assert 300 < np.median(needs) < 2500


def test_rates_change_over_time(small_city):
    root, _manifest = small_city
    first, _ = _sgb2_rows(root, "sgb2/sgb2_2022-01.csv")
    last, _ = _sgb2_rows(root, "sgb2/sgb2_2024-12.csv")
    a = {r[0]: r[3] for r in first}
    b = {r[0]: r[3] for r in last}
    changed = [k for k in a if k in b and a[k] != b[k]]
    assert len(changed) >= 10


def test_persons_can_be_followed(small_city):
    root, manifest = small_city
    snaps = {}
    for day in ("2024-01-31", "2024-12-31"):
        rel = f"sgb12/sgb12_{day}.csv"
        header, rows = read_table(root, rel, manifest["files"][rel]["encoding"])
        c = {k: i for i, k in enumerate(header)}
        snaps[day] = {
            r[c["person_nr"]]: (r[c["aktenzeichen"]], parse_date(r[c["geburtsdatum"]]))
            for r in rows
        }
    stay = set(snaps["2024-01-31"]) & set(snaps["2024-12-31"])
    assert len(stay) > 0.6 * len(snaps["2024-12-31"])
    same = sum(snaps["2024-01-31"][p] == snaps["2024-12-31"][p] for p in stay)
    assert same >= len(stay) - 3  # only planted birth-date defects may differ


def test_sgb8_costs_fit_the_measure(small_city):
    root, manifest = small_city
    rel = "sgb8/sgb8_2024.csv"
    header, rows = read_table(root, rel, manifest["files"][rel]["encoding"])
    c = {k: i for i, k in enumerate(header)}
    full = {}
    for r in rows:
        beginn = parse_date(r[c["beginn"]])
        if (
            beginn <= dt.date(2024, 1, 1)
            and not r[c["ende"]]
            and r[c["hilfeart"]] in ("34", "31", "28")
        ):
            full.setdefault(r[c["hilfeart"]], []).append(parse_money(r[c["kosten_jahr"]]))
    assert 45_000 < np.median(full["34"]) < 75_000
    assert 10_000 < np.median(full["31"]) < 22_000
    assert all(
        age_on(parse_date(r[c["geburtsdatum"]]), parse_date(r[c["beginn"]])) >= 0 for r in rows
    )


def test_finance_is_coherent_with_cases(small_city):
    root, manifest = small_city
    rel = "finanzen/finanzen_2024.csv"
    header, rows = read_table(root, rel, manifest["files"][rel]["encoding"])
    c = {k: i for i, k in enumerate(header)}
    _, prod = read_table(root, "reference/produkte.csv", "cp1252")
    bereich = dict((p[0], p[1]) for p in prod)
    assert set(bereich.values()) == {
        "sgb2_kdu",
        "sgb12_hlu",
        "sgb12_grusi",
        "sgb12_hzp",
        "sgb8_hze",
        "sgb8_inobhut",
        "sonstiges",
    }
    assert any(r[c["produkt"]] not in bereich for r in rows)  # unlisted -> sonstiges
    kdu = sum(
        parse_money(r[c["ist"]])
        for r in rows
        if bereich.get(r[c["produkt"]]) == "sgb2_kdu" and r[c["konto"]].startswith("5")
    )
    bgs = []
    for m in range(1, 13):
        f = f"sgb2/sgb2_2024-{m:02d}.csv"
        if f in manifest["files"]:
            srows, _ = _sgb2_rows(root, f)
            bgs.append(sum(int(r[2].replace(".", "")) for r in srows if r[2] not in "*-"))
    per_bg_month = kdu / np.mean(bgs) / 12
    assert 500 <= per_bg_month <= 750
    for r in rows:
        assert r[c["konto"]][0] in "45" and len(r[c["konto"]]) == 6
        ist, plan = parse_money(r[c["ist"]]), parse_money(r[c["ansatz"]])
        assert abs(ist - plan) <= 0.2 * abs(plan)


def test_ziele_name_indicators_and_areas(small_city):
    root, _ = small_city
    header, rows = read_table(root, "reference/ziele.csv", "cp1252")
    assert header == ["indikator_id", "gebiet_id", "jahr", "zielwert", "richtung", "beschluss"]
    assert any(r[1] == "" for r in rows) and any(r[1] != "" for r in rows)
    assert {r[4] for r in rows} == {"hoechstens", "mindestens"}
    assert "sgb2_kinderarmut" in {r[0] for r in rows}


def test_suppression_hides_values_that_the_identity_would_reveal():
    vals = np.array(
        [
            [5, 40, 38, 2, 2, 10, 20, 3],  # nef = 2 -> nef and the smaller of rlb/elb hidden
            [0, 0, 0, 0, 0, 0, 0, 0],
            [1, 2, 2, 0, 0, 1, 1, 0],  # rlb, elb both 1-2, nef 0 stays '-'
            [1200, 2345, 1500, 845, 800, 400, 900, 150],
        ]
    )
    text = suppress(vals)
    assert list(text[0][:4]) == ["5", "40", "*", "*"]
    assert set(text[1]) == {"-"}
    assert list(text[2][1:4]) == ["*", "*", "-"]
    assert text[3][1] == "2.345" and text[3][0] == "1.200"


def test_small_pure_helpers():
    assert money_text(441288012) == "4.412.880,12"
    assert money_text(-54000, thousands=False) == "-540,00"
    assert list(regelaltersgrenze_months(np.array([1940, 1950, 1960, 1970]))) == [
        780,
        784,
        796,
        804,
    ]
    order = 3
    idx = {hilbert_index(x, y, order) for x in range(8) for y in range(8)}
    assert idx == set(range(64))
