"""Scratch warehouse with the example deliveries of tests/fixtures/musterstadt, reduced by hand.

Until the ingestion exists, this writes the rows the ingestion would write: ages instead
of birth dates, finest areas instead of addresses, pseudonyms instead of case numbers
(docs/protection.md). `mit_historie=True` adds a small synthetic 2022 delivery on the old area
layout (020100 before its split) so recasting and the 2-year dynamics are exercised.

Run as a script to create a dev warehouse:
    uv run python tests/dbt/dbt_beispieldaten.py /tmp/x.duckdb
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb

from pipelines.warehouse.raw_tables import create_raw_schema_sql

BEISPIELE = Path(__file__).resolve().parents[1] / "fixtures" / "musterstadt" / "landing"

GEBIETE = [
    ("00", "Musterstadt", "stadt", 0, None, "2000-01-01", None),
    ("01", "Nord", "stadtbezirk", 1, "00", "2000-01-01", None),
    ("02", "Süd", "stadtbezirk", 1, "00", "2000-01-01", None),
    ("0101", "Altstadt", "stadtteil", 2, "01", "2000-01-01", None),
    ("0102", "Hafen", "stadtteil", 2, "01", "2000-01-01", None),
    ("0201", "Gartenstadt", "stadtteil", 2, "02", "2000-01-01", None),
    ("010101", "Markt", "statistischer_bezirk", 3, "0101", "2000-01-01", None),
    ("010102", "Dom", "statistischer_bezirk", 3, "0101", "2000-01-01", None),
    ("010201", "Kai", "statistischer_bezirk", 3, "0102", "2000-01-01", None),
    ("020100", "Lindenhof", "statistischer_bezirk", 3, "0201", "2000-01-01", "2023-12-31"),
    ("020101", "Lindenhof-West", "statistischer_bezirk", 3, "0201", "2024-01-01", None),
    ("020102", "Am Bach", "statistischer_bezirk", 3, "0201", "2024-01-01", None),
]
UMSCHLUESSEL = [
    ("020100", "020101", "2024-01-01", 0.62),
    ("020100", "020102", "2024-01-01", 0.38),
]
PRODUKTE = [
    ("31.2.01", "sgb2_kdu"),
    ("31.1.01", "sgb12_hlu"),
    ("31.1.02", "sgb12_grusi"),
    ("31.1.03", "sgb12_hzp"),
    ("36.3.01", "sgb8_hze"),
    ("36.3.02", "sgb8_inobhut"),
]
ZIELE = [
    ("sgb2_kinderarmut", None, 2024, 25.0, "hoechstens", "Ratsbeschluss 2022/117"),
    ("hze_quote", "0201", 2024, 400.0, "hoechstens", "JHA-Beschluss 2023/08"),
]
# stichtag; gebiet_id; alter; geschlecht; staatsangehoerigkeit; anzahl
EINWOHNER_2024 = """
010101;3;w;deutsch;40|010101;10;m;deutsch;55|010101;35;w;deutsch;420
010101;35;m;nichtdeutsch;130|010101;70;w;deutsch;160|010102;3;m;deutsch;25
010102;12;w;nichtdeutsch;30|010102;40;m;deutsch;380|010102;66;m;deutsch;210
010102;88;w;deutsch;90|010201;1;w;nichtdeutsch;320|010201;8;m;nichtdeutsch;610
010201;16;w;deutsch;290|010201;30;m;nichtdeutsch;2950|010201;67;d;deutsch;2
020101;5;m;deutsch;70|020101;19;w;deutsch;45|020101;50;w;deutsch;600
020101;75;m;deutsch;240|020101;100;w;deutsch;3|020102;2;w;deutsch;15
020102;14;m;deutsch;20|020102;45;m;nichtdeutsch;160|020102;64;w;deutsch;60
020102;65;w;deutsch;55
"""
# synthetic history (not part of tests/fixtures/musterstadt): 2022 on the old layout
EINWOHNER_2022 = """
010101;3;w;deutsch;38|010101;35;w;deutsch;560|010101;70;w;deutsch;150
010102;12;w;nichtdeutsch;50|010102;40;m;deutsch;400|010102;66;m;deutsch;290
010201;8;m;nichtdeutsch;900|010201;30;m;nichtdeutsch;3100|010201;67;d;deutsch;3
020100;5;m;deutsch;100|020100;50;w;deutsch;800|020100;75;m;deutsch;300
"""
SGB2_COLS = ("bg", "rlb", "elb", "nef", "nef_u15", "alo_sgb2", "lzb", "bg_alleinerziehend")
SGB2_2024 = {
    "010101": "61;104;80;24;22;31;52;9",
    "010102": "12;21;17;4;4;5;9;*",
    "010201": "402;1204;815;389;371;268;570;71",
    "020101": "35;58;45;13;12;14;22;-",
    "020102": "*;*;*;-;-;-;-;-",
}
SGB2_2022 = {
    "010101": "70;120;90;30;28;40;60;10",
    "010102": "15;25;20;5;5;6;10;3",
    "010201": "420;1300;850;450;400;300;600;80",
    "020100": "40;70;55;15;14;18;25;*",
}
# stichtag, fall, person, alter, geschlecht, staatsangehoerigkeit, gebiet, leistungsart,
# einrichtung, bruttobedarf (100006 is quarantined: address unknown)
SGB12_2024 = [
    ("f1", "p100001", 73, "w", "DEU", "010101", "GRUSI_ALTER", "N", 812.40),
    ("f2", "p100002", 67, "m", "TUR", "010201", "GRUSI_ALTER", "N", 1034.10),
    ("f3", "p100003", 56, "m", "DEU", "010102", "GRUSI_EM", "N", 905.00),
    ("f4", "p100004", 84, "w", "POL", "020101", "HZP", "J", 2310.55),
    ("f5", "p100005", 45, "w", "DEU", "020102", "HLU", "N", 563.00),
]
# synthetic history (not part of tests/fixtures/musterstadt): 2022 on the old layout
SGB12_2022 = [
    ("f1", "p100001", 71, "w", "DEU", "010101", "GRUSI_ALTER", "N", 790.00),
    ("f7", "p100007", 40, "m", "DEU", "010201", "HLU", "N", 500.00),
    ("f8", "p100008", 50, "w", "DEU", "020100", "GRUSI_EM", "N", 880.00),
]
# fall, person, geschlecht, gebiet, hilfeart, beginn, ende, alter_beginn, alter_jahresende, kosten
SGB8_2024 = [
    ("j1", "p200001", "w", "010201", "31", "2023-03-01", None, 10, 12, 14220.00),
    ("j2", "p200002", "m", "010101", "34", "2024-02-15", "2024-11-30", 14, 15, 48930.75),
    ("j3", "p200003", "w", "020101", "28", "2024-04-01", "2024-06-30", 8, 8, 610.00),
    ("j4", "p200004", "m", "010201", "35a", "2024-01-10", None, 13, 14, 9875.20),
    ("j5", "p200005", "w", "010102", "42", "2024-09-03", "2024-09-20", 15, 16, 3140.00),
    ("j6", "p200006", "m", "020102", "41", "2022-08-01", None, 19, 21, 22400.00),
]
BEWEGUNGEN_2024 = [
    ("010101", "zuzug", 61),
    ("010101", "fortzug", 48),
    ("010101", "umzug_zu", 30),
    ("010101", "umzug_fort", 35),
    ("010101", "geburt", 6),
    ("010101", "sterbefall", 9),
    ("010201", "zuzug", 140),
    ("010201", "fortzug", 120),
]
FINANZEN_2024 = [
    (
        "31.2.01",
        "KdU SGB II",
        "533900",
        "Sonstige soziale Leistungen",
        4200000.00,
        4350000.00,
        4412880.12,
    ),
    ("31.2.01", "KdU SGB II", "414100", "Zuweisungen vom Bund", -2700000.00, None, -2781004.00),
    (
        "31.1.02",
        "Grundsicherung",
        "533200",
        "Leistungen an natürliche Personen",
        1150000.00,
        None,
        1098310.40,
    ),
    ("31.1.01", "HLU", "533200", "Leistungen an natürliche Personen", 240000.00, None, 251774.00),
    ("36.3.01", "HzE", "533300", "Leistungen an Einrichtungen", 6800000.00, 7100000.00, 7065120.90),
    (
        "36.3.02",
        "Inobhutnahmen",
        "533300",
        "Leistungen an Einrichtungen",
        420000.00,
        None,
        388200.00,
    ),
    ("11.1.01", "Verwaltungssteuerung", "501100", "Dienstaufwendungen", 900000.00, None, 912000.00),
]


def _einwohner_rows(stichtag: str, text: str, load_id: str) -> list[tuple]:
    rows = []
    for chunk in text.replace("\n", "|").split("|"):
        if chunk.strip():
            gebiet, alter, geschlecht, nat, anzahl = chunk.strip().split(";")
            rows.append((stichtag, gebiet, int(alter), geschlecht, nat, int(anzahl), load_id))
    return rows


def _sgb2_rows(monat: str, table: dict[str, str], load_id: str) -> list[tuple]:
    rows = []
    for gebiet, cells in table.items():
        values: list = [monat, gebiet]
        for cell in cells.split(";"):
            if cell == "*":
                values += [None, "*"]
            elif cell == "-":
                values += [0, "-"]
            else:
                values += [int(cell), None]
        rows.append((*values, load_id))
    return rows


def _geometrie_rows(load_id: str) -> list[tuple]:
    path = BEISPIELE / "reference" / "gebiete.geojson"
    if not path.exists():
        return []
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    return [(f["properties"]["gebiet_id"], json.dumps(f["geometry"]), load_id) for f in features]


def build_example_warehouse(path: Path | str, mit_historie: bool = True) -> Path:
    """Create a fresh warehouse.duckdb at `path` holding the reduced example deliveries."""
    path = Path(path)
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute(create_raw_schema_sql())
        inserts: dict[str, list[tuple]] = {
            "gebiete": [(*g, "ld_gebiete") for g in GEBIETE],
            "gebiete_umschluessel": [(*u, "ld_umschl") for u in UMSCHLUESSEL],
            "gebiete_geometrie": _geometrie_rows("ld_geo"),
            "produkte": [(*p, "ld_produkte") for p in PRODUKTE],
            "ziele": [(*z, "ld_ziele") for z in ZIELE],
            "einwohner": _einwohner_rows("2024-12-31", EINWOHNER_2024, "ld_ew_2024"),
            "sgb2": _sgb2_rows("2024-12-01", SGB2_2024, "ld_sgb2_2024_12"),
            "sgb12": [("2024-12-31", *r[:8], r[8], "ld_sgb12_2024") for r in SGB12_2024],
            "sgb8": [(2024, *r, "ld_sgb8_2024") for r in SGB8_2024],
            # alter, geschlecht empty: a delivery without the optional breakdown
            "bewegungen": [
                (2024, g, a, None, None, n, "ld_bew_2024") for g, a, n in BEWEGUNGEN_2024
            ],
            "finanzen": [(2024, *f, "ld_fin_2024") for f in FINANZEN_2024],
        }
        if mit_historie:
            inserts["einwohner"] += _einwohner_rows("2022-12-31", EINWOHNER_2022, "ld_ew_2022")
            inserts["sgb2"] += _sgb2_rows("2022-12-01", SGB2_2022, "ld_sgb2_2022_12")
            inserts["sgb12"] += [("2022-12-31", *r[:8], r[8], "ld_sgb12_2022") for r in SGB12_2022]
        for table, rows in inserts.items():
            if rows:
                marks = ",".join("?" * len(rows[0]))
                con.executemany(f"insert into raw.{table} values ({marks})", rows)
        loads = [
            ("ld_ew_2024", "einwohner", "2024-12-31"),
            ("ld_sgb2_2024_12", "sgb2", "2024-12"),
            ("ld_sgb12_2024", "sgb12", "2024-12-31"),
            ("ld_sgb8_2024", "sgb8", "2024"),
            ("ld_bew_2024", "bewegungen", "2024"),
            ("ld_fin_2024", "finanzen", "2024"),
        ]
        con.executemany(
            "insert into audit.loads (load_id, quelle, datei, sha256, periode, status)"
            " values (?, ?, ?, 'sha', ?, 'geladen')",
            [(lid, q, f"{q}/{q}_{p}.csv", p) for lid, q, p in loads],
        )
    finally:
        con.close()
    return path


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else "/tmp/sozialmonitor_dbt_dev.duckdb"
    print(build_example_warehouse(target))
