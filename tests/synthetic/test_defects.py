"""Every defect in the manifest is really in the file, at the stated line; clean data is clean."""

from __future__ import annotations

import datetime as dt

import pytest

from pipelines.synthetic import generate

from ._helpers import age_on, parse_date, read_lines, read_table

SGB8_CODES = {"27_2", "28", "29", "30", "31", "32", "33", "34", "35", "35a", "41", "42"}
ROW_REASONS = {
    "adresse_unbekannt",
    "alter_unplausibel",
    "summe_widerspruch",
    "person_doppelt",
    "ende_vor_beginn",
    "betrag_negativ",
    "code_unbekannt",
}
FILE_REASONS = {"spalte_fehlt", "periode_widerspruch", "datei_unvollstaendig"}


def _addresses(root) -> set[tuple[str, str]]:
    _, rows = read_table(root, "reference/adressen.csv", "utf-8-sig")
    return {(r[0], r[1] + r[2]) for r in rows}


def test_every_kind_of_defect_is_planted(small_city):
    _, manifest = small_city
    reasons = {d["reason"] for d in manifest["defects"]}
    assert reasons == ROW_REASONS | FILE_REASONS
    for d in manifest["defects"]:
        assert d["file"] in manifest["files"]
        assert d["level"] == ("file" if d["reason"] in FILE_REASONS else "row")
        assert (d["line"] is None) == (d["level"] == "file")


def _row_at(root, manifest, defect):
    rel = defect["file"]
    lines = read_lines(root, rel, manifest["files"][rel]["encoding"])
    if manifest["files"][rel]["kind"] == "sgb2":
        header_no = next(i for i, line in enumerate(lines) if line.startswith("Gebiet;"))
    else:
        header_no = 0
    header = lines[header_no].split(";")
    row = dict(zip(header, lines[defect["line"] - 1].split(";"), strict=True))
    return lines, header_no, row


def _check_row_defect(root, manifest, d, known):
    lines, header_no, row = _row_at(root, manifest, d)
    reason, rel = d["reason"], d["file"]
    assert d["line"] > header_no + 1
    kind = manifest["files"][rel]["kind"]
    if reason == "adresse_unbekannt":
        assert (row["strasse"], row["hausnummer"]) not in known
    elif reason == "alter_unplausibel":
        birth = parse_date(row["geburtsdatum"])
        if kind == "sgb12":
            day = parse_date(row["stichtag"])
            assert birth > day or age_on(birth, day) > 120
        else:
            assert age_on(birth, parse_date(row["beginn"])) >= 27
    elif reason == "summe_widerspruch":
        num = {
            k: int(row[k].replace(".", ""))
            for k in (
                "Regelleistungsberechtigte",
                "Erwerbsfähige Leistungsberechtigte",
                "Nicht erwerbsfähige Leistungsberechtigte",
            )
        }
        vals = list(num.values())
        assert vals[0] != vals[1] + vals[2]
    elif reason == "person_doppelt":
        header = lines[0].split(";")
        col = header.index("person_nr")
        earlier = {line.split(";")[col] for line in lines[1 : d["line"] - 1]}
        assert row["person_nr"] in earlier
    elif reason == "ende_vor_beginn":
        assert parse_date(row["ende"]) < parse_date(row["beginn"])
    elif reason == "betrag_negativ":
        assert row[d["column"]].startswith("-")
    elif reason == "code_unbekannt":
        assert row["hilfeart"] not in SGB8_CODES
    # sgb2 names the canonical measure key (rlb), the other sources the column header
    assert d["column"] in row or (kind == "sgb2" and d["column"] == "rlb")


def test_row_defects_are_at_the_stated_line(small_city):
    root, manifest = small_city
    known = _addresses(root)
    rows = [d for d in manifest["defects"] if d["level"] == "row"]
    assert len(rows) >= 20
    for d in rows:
        _check_row_defect(root, manifest, d, known)


def test_file_defects(small_city):
    root, manifest = small_city
    files = [d for d in manifest["defects"] if d["level"] == "file"]
    assert {d["reason"] for d in files} == FILE_REASONS
    for d in files:
        rel, meta = d["file"], manifest["files"][d["file"]]
        raw = (root / rel).read_bytes()
        if d["reason"] == "spalte_fehlt":
            header = read_lines(root, rel, meta["encoding"])[0].split(";")
            assert d["column"] not in header and "stichtag" in header
        elif d["reason"] == "periode_widerspruch":
            header, rows = read_table(root, rel, meta["encoding"])
            stamps = {parse_date(r[header.index("stichtag")]) for r in rows}
            assert stamps and dt.date.fromisoformat(meta["period"]) not in stamps
        elif d["reason"] == "datei_unvollstaendig":
            text = raw.decode("cp1252")
            assert not text.endswith("\r\n") and "©" not in text
            last = text.split("\r\n")[-1]
            header = next(x for x in text.split("\r\n") if x.startswith("Gebiet;"))
            assert 0 < last.count(";") < header.count(";")


def test_no_file_defect_on_the_last_period(small_city):
    _, manifest = small_city
    last: dict[str, str] = {}
    for meta in manifest["files"].values():
        if meta["period"]:
            last[meta["kind"]] = max(last.get(meta["kind"], ""), meta["period"])
    for d in manifest["defects"]:
        if d["level"] == "file":
            meta = manifest["files"][d["file"]]
            assert meta["period"] != last[meta["kind"]]


def test_clean_rows_have_no_address_or_age_problems(small_city):
    """Only the listed rows break the rules: the rest loads without quarantine."""
    root, manifest = small_city
    known = _addresses(root)
    listed = {(d["file"], d["line"]) for d in manifest["defects"] if d["level"] == "row"}
    for rel, meta in manifest["files"].items():
        if meta["kind"] not in ("sgb12", "sgb8") or any(
            d["file"] == rel and d["level"] == "file" for d in manifest["defects"]
        ):
            continue
        header, rows = read_table(root, rel, meta["encoding"])
        col = {c: i for i, c in enumerate(header)}
        seen = set()
        for i, r in enumerate(rows):
            if (rel, i + 2) in listed:
                continue
            assert (r[col["strasse"]], r[col["hausnummer"]]) in known, (rel, i + 2)
            birth = parse_date(r[col["geburtsdatum"]])
            if meta["kind"] == "sgb12":
                day = parse_date(r[col["stichtag"]])
                age = age_on(birth, day)
                art = r[col["leistungsart"]]
                assert 0 <= age <= 120
                assert art in {"HLU", "GRUSI_ALTER", "GRUSI_EM", "HZP"}
                assert age >= 65 if art == "GRUSI_ALTER" else True
                assert 18 <= age <= 64 if art == "GRUSI_EM" else True
                assert r[col["person_nr"]] not in seen
                seen.add(r[col["person_nr"]])
                assert not r[col["bruttobedarf_monat"]].startswith("-")
            else:
                beginn = parse_date(r[col["beginn"]])
                code = r[col["hilfeart"]]
                assert code in SGB8_CODES
                limit = 21 if code == "41" else 18
                assert age_on(birth, beginn) < limit
                if r[col["ende"]]:
                    assert parse_date(r[col["ende"]]) >= beginn
                assert beginn <= dt.date(int(meta["period"]), 12, 31)
                assert not r[col["kosten_jahr"]].startswith("-")


@pytest.fixture(scope="module")
def clean_city(tmp_path_factory):
    root = tmp_path_factory.mktemp("clean")
    return root, generate(root, scale="small", seed=7, defects=False)


def test_defects_off_gives_clean_files(small_city, clean_city):
    root, manifest = clean_city
    assert manifest["defects"] == []
    text = (root / "sgb2/sgb2_2022-08.csv").read_bytes().decode("cp1252")
    assert text.endswith("Statistik der Bundesagentur für Arbeit\r\n")
    # population and benefits do not depend on the defect switch
    dirty = small_city[0]
    assert (root / "einwohner/einwohner_2024-12-31.csv").read_bytes() == (
        dirty / "einwohner/einwohner_2024-12-31.csv"
    ).read_bytes()
