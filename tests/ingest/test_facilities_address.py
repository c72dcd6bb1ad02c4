"""einrichtungen located by address: where a row gives `strasse`/`hausnummer` instead of the
area, the address directory places it on 31.12. of the year (the real transform, the
Musterstadt directory: Lindenweg 3 lies in Lindenhof-West since the split of 2024)."""

from __future__ import annotations

from datetime import date

import polars as pl

from pipelines.deliveries.base import DeliveryFile, LoadContext
from pipelines.deliveries.einrichtungen import Einrichtungen
from pipelines.protection.addresses import prepare_directory
from tests.conftest import EXAMPLES

AREAS = pl.DataFrame(
    {
        "gebiet_id": ["010101", "010102", "010201", "020100", "020101", "020102"],
        "ebene_rang": [3] * 6,
        "gueltig_ab": [date(2000, 1, 1)] * 3 + [date(2000, 1, 1)] + [date(2024, 1, 1)] * 2,
        "gueltig_bis": [None] * 3 + [date(2023, 12, 31)] + [None] * 2,
    },
    schema_overrides={"gueltig_bis": pl.Date},
)
HEADER = (
    "einrichtung_id;name;art;gebiet_id;strasse;hausnummer;plaetze;traeger;gueltig_ab;gueltig_bis"
)


def _directory() -> pl.DataFrame:
    raw = pl.read_csv(
        EXAMPLES / "reference" / "adressen.csv", separator=";", infer_schema=False
    ).with_columns(pl.col("gueltig_ab", "gueltig_bis").str.to_date())
    return prepare_directory(raw.with_columns(pl.col("zusatz").fill_null("")))


def _transform(tmp_path, lines: list[str]):
    kind = Einrichtungen()
    path = tmp_path / "einrichtungen_2024.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    f = DeliveryFile(kind.name, path, f"{kind.folder}/{path.name}", kind.period_of(path))
    return kind.transform(f, kind.read(path), LoadContext(areas=AREAS, directory=_directory()))


def test_a_facility_is_located_by_its_address_on_31_12(tmp_path):
    t = _transform(
        tmp_path,
        [
            "K-001;Kita Am Markt;kita_u3;010101;;;10;Stadt;2010-08-01;",
            "K-007;Kita Lindenweg;kita_ue3;;Lindenweg;3;40;Träger e. V.;2012-08-01;",
            "K-008;Kita Marktplatz;kita_u3;;Marktplatz;2a;12;Träger e. V.;2020-08-01;",
        ],
    )
    assert t.quarantine.height == 0, t.quarantine
    located = dict(zip(t.rows["einrichtung_id"], t.rows["gebiet_id"], strict=True))
    assert located == {"K-001": "010101", "K-007": "020101", "K-008": "010101"}
    assert "strasse" not in t.rows.columns  # the raw table keeps the area only


def test_unknown_address_and_missing_place_go_to_quarantine(tmp_path):
    t = _transform(
        tmp_path,
        [
            "K-001;Kita Am Markt;kita_u3;010101;;;10;Stadt;2010-08-01;",
            "K-009;Kita Nirgendwo;kita_u3;;Unbekannte Gasse;9;20;Träger e. V.;2019-08-01;",
            "K-010;Kita ohne Ort;kita_u3;;;;20;Träger e. V.;2019-08-01;",
        ],
    )
    assert t.rows["einrichtung_id"].to_list() == ["K-001"]
    reasons = dict(zip(t.quarantine["_zeile"], t.quarantine["grund"], strict=True))
    assert sorted(reasons.values()) == ["adresse_unbekannt", "pflichtwert_fehlt"]


def test_a_file_without_address_columns_loads_as_before(tmp_path):
    kind = Einrichtungen()
    path = tmp_path / "einrichtungen_2024.csv"
    path.write_text(
        "einrichtung_id;name;art;gebiet_id;plaetze;traeger;gueltig_ab;gueltig_bis\n"
        "K-001;Kita Am Markt;kita_u3;010101;10;Stadt;2010-08-01;\n",
        encoding="utf-8",
    )
    f = DeliveryFile(kind.name, path, f"{kind.folder}/{path.name}", kind.period_of(path))
    t = kind.transform(f, kind.read(path), LoadContext(areas=AREAS, directory=_directory()))
    assert t.quarantine.height == 0 and t.rows["gebiet_id"].to_list() == ["010101"]
