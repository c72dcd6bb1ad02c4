"""Profile validation: clear German errors for unknown keys and impossible mappings."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from pipelines.profiles import PROFILES_DIR, ProfileError, parse_profile, split_by_margin
from pipelines.profiles.schema import NumberFormat
from pipelines.profiles.source import normalise_number

HAMBURG = yaml.safe_load((PROFILES_DIR / "hamburg_stadtteilprofile.yaml").read_text("utf-8"))
PATH = PROFILES_DIR / "hamburg_stadtteilprofile.yaml"


def _parse(mutate) -> None:
    doc = copy.deepcopy(HAMBURG)
    mutate(doc)
    parse_profile(doc, PATH)


def test_real_profiles_are_valid():
    for name in ("berlin_ewr", "hamburg_stadtteilprofile"):
        path = PROFILES_DIR / f"{name}.yaml"
        assert parse_profile(yaml.safe_load(path.read_text("utf-8")), path).name == name


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(spalten={}), "unbekannter Schlüssel 'spalten'"),
        (lambda d: d["dateien"][0].update(trenner=";"), "unbekannter Schlüssel 'trenner'"),
        (lambda d: d["dateien"][0].update(format="ods"), "format 'ods' unbekannt"),
        (lambda d: d["dateien"][0].update(muster="/etc/*.csv"), "relativ zum Eingangsordner"),
        (lambda d: d["dateien"][1]["zahlen"].update(tausender=","), "zahlen.tausender"),
        (lambda d: d["lieferungen"][1]["spalten"].update(arbeitslose="X"),
         "'arbeitslose' ist keine Spalte der Lieferart sgb2"),
        (lambda d: d["lieferungen"][0].update(art="sgb3"), "art muss eine von"),
        (lambda d: d["lieferungen"][0]["altersgruppen"][0].update(bis=16),
         "Lücke oder Überschneidung"),
        (lambda d: d["lieferungen"][0].update(altersgrenzen_nicht_darstellbar=[15]),
         "Altersgrenze 21 der Indikatoren fällt in die Altersgruppe ab 18 bis unter 65"),
        (lambda d: d["lieferungen"][0]["staatsangehoerigkeit"].update(rest="staatenlos"),
         "Code 'staatenlos' unbekannt"),
        (lambda d: d["lieferungen"][0].update(periode={"fest": "31.12.2013"}),
         "erwartet JJJJ-MM-TT"),
        (lambda d: d["lieferungen"][0]["gebiet"].update(namen="fehlt.csv"), "nicht gefunden"),
        (lambda d: d["lieferungen"][1].update(nicht_geliefert="0"), "nicht_geliefert '0'"),
    ],
)  # fmt: skip
def test_invalid_profiles_fail_with_a_german_message(mutate, message):
    with pytest.raises(ProfileError, match=r"Quellprofil hamburg_stadtteilprofile\.yaml") as err:
        _parse(mutate)
    assert message in str(err.value)


def test_numbers_as_cities_write_them():
    hh, be = NumberFormat(",", " "), NumberFormat(",", "")
    assert normalise_number(" 1 675    ", hh) == "1675"
    assert normalise_number("-  23    ", hh) == "-23"
    assert normalise_number("1 788 994", hh) == "1788994"
    assert normalise_number("2930,00", be) == "2930"
    assert normalise_number("2930,50", be) == "2930,50"  # not a count: typing quarantines it
    assert normalise_number("1 675", be) == "1 675"  # space not declared as separator
    assert normalise_number("1.234", NumberFormat(",", ".")) == "1234"
    assert normalise_number("1.23", NumberFormat(",", ".")) == "1.23"


@given(
    st.lists(st.integers(0, 5000), min_size=1, max_size=12),
    st.lists(st.integers(0, 1000), min_size=1, max_size=4),
)
def test_split_by_margin_keeps_both_margins_exact(cells, weights):
    total = sum(cells)
    # a margin with the same total as the cells
    margin, left = [], total
    for i, w in enumerate(weights):
        n = left if i == len(weights) - 1 else min(left, w)
        margin.append((f"k{i}", n))
        left -= n
    out = split_by_margin(cells, margin)
    assert [sum(d.values()) for d in out] == cells
    for code, n in margin:
        assert sum(d[code] for d in out) == n
    assert all(v >= 0 for d in out for v in d.values())


def test_discover_refuses_symlinks(tmp_path: Path):
    from pipelines.profiles import discover_profiled
    from pipelines.profiles.reference import HAMBURG_XLSX, REALDATA

    target = tmp_path / HAMBURG_XLSX
    target.parent.mkdir(parents=True)
    target.symlink_to(REALDATA / HAMBURG_XLSX)
    found = discover_profiled(tmp_path, {"quellprofile": ["hamburg_stadtteilprofile.yaml"]})
    assert not found.files and {r.reason for r in found.refused} == {"datei_unzulaessig"}
