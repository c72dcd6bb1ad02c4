"""The hostile deliveries: each builds its files from the Musterstadt example deliveries and says what must happen.

`kind` is the delivery kind whose ingestion is run; `target` the file whose outcome is
checked. See README.md for the table.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

E6 = "einwohner/einwohner_2024-06-30.csv"
S11 = "sgb2/sgb2_2024-11.csv"
F23 = "finanzen/finanzen_2023.csv"


@dataclass
class Expect:
    status: str  # abgewiesen | geladen | ignoriert
    reason: str | None = None  # file-level reason code
    quarantine: set[tuple] = field(default_factory=set)  # (zeile, spalte, grund) that must appear
    rows_loaded: int | None = None
    message_has: tuple[str, ...] = ()
    warning_has: tuple[str, ...] = ()


@dataclass
class Hostile:
    name: str
    description: str
    kind: str  # einwohner | sgb2 | ... | reference
    target: str
    build: Callable  # (case) -> None
    expect: Expect
    today: date | None = None


# --- text helpers ---------------------------------------------------------------------------


def einwohner(case, stichtag: str = "30.06.2024") -> str:
    text = case.example("einwohner/einwohner_2024-12-31.csv").decode("utf-8-sig")
    return text.replace("\r\n", "\n").replace("31.12.2024", stichtag)


def einwohner_lines(case) -> list[str]:
    return einwohner(case).rstrip("\n").split("\n")


def with_line(case, line_no: int, new: str) -> str:
    """The June einwohner file with (1-based) line `line_no` replaced."""
    lines = einwohner_lines(case)
    lines[line_no - 1] = new
    return "\n".join(lines) + "\n"


def sgb2(case, month_name: str = "November") -> str:
    text = case.example("sgb2/sgb2_2024-12.csv").decode("cp1252").replace("\r\n", "\n")
    return text.replace("Berichtsmonat: Dezember 2024", f"Berichtsmonat: {month_name} 2024")


def sgb2_with_total(case, row: str) -> bytes:
    """The November table with a total row (the BA's row for the municipality) before Am Bach."""
    return sgb2(case).replace("020102;Am Bach;", f"{row}\n020102;Am Bach;", 1).encode("cp1252")


def finanzen(case, year: int = 2023) -> str:
    text = case.example("finanzen/finanzen_2024.csv").decode("utf-8").replace("\r\n", "\n")
    return text.replace("\n2024;", f"\n{year};")


def gebiete(case) -> str:
    return case.example("reference/gebiete.csv").decode("utf-8").replace("\r\n", "\n")


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    for name, table in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                sheet.write(r, c, value)
    book.close()
    return buf.getvalue()


def sgb2_rows(case, numeric_keys: bool = False) -> list[list]:
    """The sgb2 example as spreadsheet rows; counts as numbers, area keys as text
    (or as numbers, as a careless Excel round trip leaves them: 010101 -> 10101)."""
    out = []
    for line in sgb2(case).split("\n"):
        cells = line.split(";") if ";" in line else [line]
        first = 0 if numeric_keys else 1
        out.append([int(x) if x.isdigit() and i >= first else x for i, x in enumerate(cells)])
    return out


def _symlink_outside(case):
    outside = case.landing.parent / "ausserhalb.csv"
    outside.write_text(einwohner(case))
    os.symlink(os.path.relpath(outside, case.landing / "einwohner"), case.landing / E6)


def _folder_link(case):
    elsewhere = case.landing.parent / "anderswo"
    elsewhere.mkdir()
    (elsewhere / "sgb2_2024-11.csv").write_text(sgb2(case), encoding="cp1252")
    os.symlink(elsewhere, case.landing / "sgb2_link")
    # the source folder itself replaced by a link to somewhere else
    real = case.landing / "sgb2"
    for f in real.iterdir():
        (elsewhere / f.name).write_bytes(f.read_bytes())
        f.unlink()
    real.rmdir()
    os.symlink(elsewhere, real)


def _fifo(case):
    os.mkfifo(case.landing / E6)


def _duplicate_header(case):
    lines = einwohner_lines(case)
    lines.insert(5, lines[0])  # line 6 repeats the header (two exports pasted together)
    case.write(E6, "\n".join(lines) + "\n")


def _truncated(case):
    text = einwohner(case).rstrip("\n")
    case.write(E6, text[: text.rfind(";")])  # cut inside the last line, no line end


def _big_field(quoted: bool):
    def build(case):
        big = "x" * 2_000_000
        cell = f'"{big}"' if quoted else big
        case.write(E6, with_line(case, 3, f"30.06.2024;{cell};10;m;deutsch;55"))

    return build


def _formulas(case):
    text = finanzen(case)
    # quoted as a spreadsheet writes it: the ';' inside belongs to the field
    text = text.replace(
        "Verwaltungssteuerung", '"=HYPERLINK(""http://example.invalid/x"";""Klick"")"'
    )
    text = text.replace("Dienstaufwendungen", "+cmd|' /C calc'!A0")
    text = text.replace("Inobhutnahmen;", "@SUM(1+1);")
    case.write(F23, text)


def _money_symbols(case):
    text = finanzen(case)
    text = text.replace("912.000,00", "912.000,00 €")  # line 8, ist
    text = text.replace("388.200,00", "*")  # line 7, ist
    text = text.replace("6.800.000,00", "99999999999999999999,00")  # line 6, ansatz: overflow
    case.write(F23, text)


def _cycle(case):
    text = gebiete(case).replace(
        "0101;Altstadt;stadtteil;2;01;", "0101;Altstadt;stadtteil;2;010101;"
    )
    case.write("reference/gebiete.csv", text)


def _duplicate_area(case):
    case.write(
        "reference/gebiete.csv", gebiete(case) + "0101;Altstadt-Ost;stadtteil;2;02;2000-01-01;\n"
    )


def _bad_shares(case):
    case.write(
        "reference/gebiete_umschluessel.csv",
        "alt_gebiet_id;neu_gebiet_id;wechsel_am;anteil\n"
        "020100;020101;2024-01-01;0,62\n020100;020102;2024-01-01;0,48\n",
    )


def _period_twice(case):
    case.write(S11, sgb2(case).encode("cp1252"))
    case.write("sgb2/sgb2_2024-11.xlsx", xlsx({"Daten": sgb2_rows(case)}))


def adressen(case) -> str:
    return case.example("reference/adressen.csv").decode("utf-8").replace("\r\n", "\n")


def _sgb12_spellings(case):
    """The December snapshot as of 30.06., its addresses spelled as real exports spell them."""
    text = case.example("sgb12/sgb12_2024-12-31.csv").decode("cp1252").replace("\r\n", "\n")
    for old, new in {
        "31.12.2024": "30.06.2024",
        ";Marktplatz;2a;": ";MARKTPLATZ;2-a;",  # case, dash between number and suffix
        ";Am Kai;12;": ";Am  Kai;12.0;",  # double blank, Excel's float
        ";Domstraße;5;": ";DOMSTR.;5 ;",  # abbreviation, upper case, trailing blank
        ";Lindenweg;3;": ";Lindenweg;3 a;",  # suffix after a blank (falls back to 3)
        ";Bachstraße;8;": ";Bachstrasse;8.0;",
    }.items():
        text = text.replace(old, new)
    case.write("sgb12/sgb12_2024-06-30.csv", text.encode("cp1252"))


def _rows_above_header(case):
    lines = einwohner_lines(case)
    # five data rows pasted above the header (two exports copied together, header last)
    case.write(E6, "\n".join(lines[1:6] + lines[:1] + lines[6:]) + "\n")


def sgb2_cut_at_line_end(case) -> str:
    """November, cut after its third area: exactly at a line end, footer gone."""
    lines = sgb2(case).split("\n")
    header = next(i for i, x in enumerate(lines) if x.startswith("Gebiet;"))
    return "\n".join(lines[: header + 4]) + "\n"


def sgb2_padded_title(case) -> str:
    """The BA title block as a spreadsheet saves it: every line padded with separators."""
    lines = sgb2(case).split("\n")
    header = next(i for i, x in enumerate(lines) if x.startswith("Gebiet;"))
    title = [x + ";" * 9 if x else x for x in lines[:header]]
    return "\n".join(title + lines[header:])


def _w(relpath: str, content: Callable):
    """build(case) writing content(case) (str: UTF-8, bytes as is) to relpath."""
    return lambda case: case.write(relpath, content(case))


# --- inputs beyond the limits of pipelines/parsing/limits.py ----------------------------------


def _sparse_file(relpath: str, size: int):
    """A file of `size` bytes on disk that costs no disk: refused by its size, never read."""

    def build(case):
        path = case.write(relpath, b"")
        with path.open("r+b") as fh:
            fh.truncate(size)

    return build


def _long_line(case):
    from pipelines.parsing.limits import MAX_LINE_CHARS

    case.write(E6, with_line(case, 3, "x" * (MAX_LINE_CHARS + 1)))


def _xlsx_bomb(case):
    """The valid November workbook plus a part that unpacks to 600 MB of zeros (~600 KB)."""
    import zipfile

    path = case.write("sgb2/sgb2_2024-11.xlsx", xlsx({"Daten": sgb2_rows(case)}))
    zeros = bytes(1 << 20)
    with (
        zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as book,
        book.open("xl/media/bild1.bin", "w") as part,
    ):
        for _ in range(600):
            part.write(zeros)


def _xlsx_long_cell(case):
    """A cell of 40,000 characters: Excel cannot write it (its limit is 32,767)."""
    import zipfile

    rows = sgb2_rows(case)
    rows[0] = ["PLATZHALTER"]
    src = xlsx({"Daten": rows})
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(src)) as a,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as b,
    ):
        for item in a.infolist():
            data = a.read(item.filename)
            if item.filename == "xl/sharedStrings.xml":
                data = data.replace(b"PLATZHALTER", b"x" * 40_000)
            b.writestr(item, data)
    case.write("sgb2/sgb2_2024-11.xlsx", out.getvalue())


# --- personal data under a lying header (sgb12/sgb8: names, birth dates, addresses) ---------

S12 = "sgb12/sgb12_2024-06-30.csv"
S8 = "sgb8/sgb8_2024.csv"


def sgb12_text(case) -> str:
    text = case.example("sgb12/sgb12_2024-12-31.csv").decode("cp1252").replace("\r\n", "\n")
    return text.replace("31.12.2024", "30.06.2024")


def sgb8_text(case) -> str:
    return case.example("sgb8/sgb8_2024.csv").decode("utf-8").replace("\r\n", "\n")


def swap_header(text: str, pairs: list[tuple[str, str]]) -> str:
    """The same rows under a header whose cells `a` and `b` change places (a bad export)."""
    head, rest = text.split("\n", 1)
    cells = head.split(";")
    for a, b in pairs:
        i, j = cells.index(a), cells.index(b)
        cells[i], cells[j] = cells[j], cells[i]
    return ";".join(cells) + "\n" + rest


NAME_ADDRESS = [("nachname", "strasse"), ("vorname", "hausnummer")]


NEXT_YEAR = date.today().year + 1

CASES: list[Hostile] = [
    Hostile(
        "leer",
        "leere Datei (0 Byte)",
        "einwohner",
        E6,
        _w(E6, lambda c: b""),
        Expect("abgewiesen", "datei_unlesbar", message_has=("leer",)),
    ),
    Hostile(
        "nur_kopfzeile",
        "nur Kopfzeile: gültige Lieferung ohne Fälle",
        "einwohner",
        E6,
        _w(E6, lambda c: einwohner_lines(c)[0] + "\n"),
        Expect("geladen", rows_loaded=0),
    ),
    Hostile(
        "binaer",
        "Binärmüll",
        "einwohner",
        E6,
        _w(E6, lambda c: bytes(range(256)) * 50),
        Expect("abgewiesen", "datei_unlesbar"),
    ),
    Hostile(
        "utf16_bom",
        "UTF-16 mit BOM (Excel 'Unicode-Text')",
        "einwohner",
        E6,
        _w(E6, lambda c: einwohner(c).encode("utf-16")),
        Expect("geladen", rows_loaded=25),
    ),
    Hostile(
        "utf16_ohne_bom",
        "UTF-16 ohne BOM",
        "einwohner",
        E6,
        _w(E6, lambda c: einwohner(c).encode("utf-16-le")),
        Expect("abgewiesen", "datei_unlesbar", message_has=("Nullbytes",)),
    ),
    Hostile(
        "bom_mitte",
        "BOM mitten in der Datei (Dateien zusammenkopiert)",
        "einwohner",
        E6,
        _w(E6, lambda c: with_line(c, 10, "\ufeff" + einwohner_lines(c)[9])),
        Expect("geladen", rows_loaded=25),
    ),
    Hostile(
        "nullbyte_mitte",
        "Nullbyte mitten in UTF-8-Text",
        "einwohner",
        E6,
        _w(E6, lambda c: einwohner(c).encode().replace(b"010102;3", b"01\x0002;3")),
        Expect("abgewiesen", "datei_unlesbar"),
    ),
    Hostile(
        "trennzeichen_komma",
        "Komma statt Semikolon",
        "einwohner",
        E6,
        _w(E6, lambda c: einwohner(c).replace(";", ",")),
        Expect("abgewiesen", "kopfzeile_fehlt", message_has=("Komma",)),
    ),
    Hostile(
        "trennzeichen_tab",
        "Tabulator statt Semikolon",
        "einwohner",
        E6,
        _w(E6, lambda c: einwohner(c).replace(";", "\t")),
        Expect("abgewiesen", "kopfzeile_fehlt", message_has=("Tabulator",)),
    ),
    Hostile(
        "kopfzeile_doppelt",
        "Kopfzeile mitten in der Datei wiederholt",
        "einwohner",
        E6,
        _duplicate_header,
        Expect("geladen", rows_loaded=25, quarantine={(6, "stichtag", "wert_ungueltig")}),
    ),
    Hostile(
        "abgeschnitten",
        "letzte Zeile abgeschnitten, kein Zeilenende",
        "einwohner",
        E6,
        _truncated,
        Expect("abgewiesen", "datei_unvollstaendig", message_has=("Zeile 26",)),
    ),
    Hostile(
        "spalte_fehlt",
        "Pflichtspalte anzahl fehlt",
        "einwohner",
        E6,
        _w(E6, lambda c: "\n".join(x.rsplit(";", 1)[0] for x in einwohner_lines(c)) + "\n"),
        Expect("abgewiesen", "spalte_fehlt", message_has=("anzahl",)),
    ),
    Hostile(
        "spalte_extra",
        "unbekannte Zusatzspalte",
        "einwohner",
        E6,
        _w(
            E6,
            lambda c: (
                "\n".join(
                    x + (";bemerkung" if i == 0 else ";egal")
                    for i, x in enumerate(einwohner_lines(c))
                )
                + "\n"
            ),
        ),
        Expect("geladen", rows_loaded=25, warning_has=("bemerkung",)),
    ),
    Hostile(
        "feldanzahl",
        "eine Zeile mit einem Feld zu viel",
        "einwohner",
        E6,
        _w(E6, lambda c: with_line(c, 4, einwohner_lines(c)[3] + ";x")),
        Expect("geladen", rows_loaded=24, quarantine={(4, None, "feldanzahl_falsch")}),
    ),
    Hostile(
        "nur_trennzeichen",
        "Zeilen aus lauter Trennzeichen (Tabellenexport)",
        "einwohner",
        E6,
        _w(E6, lambda c: einwohner(c) + ";;;;;\n;;;;;\n"),
        Expect("geladen", rows_loaded=25, warning_has=("leere Zeilen",)),
    ),
    Hostile(
        "anzahl_text",
        "Anzahl nicht numerisch",
        "einwohner",
        E6,
        _w(E6, lambda c: with_line(c, 5, "30.06.2024;010101;35;m;nichtdeutsch;viele")),
        Expect("geladen", rows_loaded=24, quarantine={(5, "anzahl", "wert_ungueltig")}),
    ),
    Hostile(
        "anzahl_negativ",
        "negative Anzahl",
        "einwohner",
        E6,
        _w(E6, lambda c: with_line(c, 5, "30.06.2024;010101;35;m;nichtdeutsch;-130")),
        Expect("geladen", rows_loaded=24, quarantine={(5, "anzahl", "anzahl_negativ")}),
    ),
    Hostile(
        "anzahl_riesig",
        "Anzahl jenseits von 32 Bit",
        "einwohner",
        E6,
        _w(E6, lambda c: with_line(c, 5, "30.06.2024;010101;35;m;nichtdeutsch;99999999999")),
        Expect("geladen", rows_loaded=24, quarantine={(5, "anzahl", "wert_ungueltig")}),
    ),
    Hostile(
        "datum_31_02",
        "Datum 31.02.2024",
        "einwohner",
        E6,
        _w(E6, lambda c: with_line(c, 7, "31.02.2024;010102;3;m;deutsch;25")),
        Expect("geladen", rows_loaded=24, quarantine={(7, "stichtag", "wert_ungueltig")}),
    ),
    Hostile(
        "gebiet_unbekannt",
        "unbekannter Gebietsschlüssel",
        "einwohner",
        E6,
        _w(E6, lambda c: with_line(c, 8, "30.06.2024;999999;12;w;nichtdeutsch;30")),
        Expect("geladen", rows_loaded=24, quarantine={(8, "gebiet_id", "gebiet_unbekannt")}),
    ),
    Hostile(
        "feld_2mb",
        "ein 2 MB langes Feld",
        "einwohner",
        E6,
        _big_field(False),
        Expect("geladen", rows_loaded=24, quarantine={(3, "gebiet_id", "wert_ungueltig")}),
    ),
    Hostile(
        "feld_2mb_quotiert",
        "ein 2 MB langes Feld in Anführungszeichen",
        "einwohner",
        E6,
        _big_field(True),
        Expect("geladen", rows_loaded=24, quarantine={(3, "gebiet_id", "wert_ungueltig")}),
    ),
    Hostile(
        "periode_zukunft",
        "Stichtag nach heute (Tippfehler 2099)",
        "einwohner",
        "einwohner/einwohner_2099-12-31.csv",
        _w("einwohner/einwohner_2099-12-31.csv", lambda c: einwohner(c, "31.12.2099")),
        Expect("abgewiesen", "periode_zukunft", message_has=("Zukunft",)),
    ),
    Hostile(
        "haushalt_naechstes_jahr",
        "Haushaltsplan des nächsten Jahres (zulässig)",
        "finanzen",
        f"finanzen/finanzen_{NEXT_YEAR}.csv",
        _w(f"finanzen/finanzen_{NEXT_YEAR}.csv", lambda c: finanzen(c, NEXT_YEAR)),
        Expect("geladen", rows_loaded=7),
    ),
    Hostile(
        "periode_widerspruch",
        "Dateiname 30.06., Inhalt 31.12.",
        "einwohner",
        E6,
        _w(E6, lambda c: einwohner(c, "31.12.2024")),
        Expect("abgewiesen", "periode_widerspruch", message_has=("30.06.2024", "31.12.2024")),
    ),
    Hostile(
        "titel_widerspruch",
        "sgb2: Dateiname November, Titelblock Dezember",
        "sgb2",
        S11,
        _w(S11, lambda c: sgb2(c, "Dezember").encode("cp1252")),
        Expect("abgewiesen", "periode_widerspruch", message_has=("11/2024", "12/2024")),
    ),
    Hostile(
        "ba_symbol_unbekannt",
        "sgb2: Zelle 'k.A.' statt BA-Symbol",
        "sgb2",
        S11,
        _w(S11, lambda c: sgb2(c).replace("010102;Dom;12;", "010102;Dom;k.A.;").encode("cp1252")),
        Expect("geladen", rows_loaded=4, quarantine={(8, "bg", "wert_ungueltig")}),
    ),
    Hostile(
        "xlsx_falsches_blatt",
        "XLSX: Tabelle auf dem zweiten Blatt",
        "sgb2",
        "sgb2/sgb2_2024-11.xlsx",
        _w(
            "sgb2/sgb2_2024-11.xlsx",
            lambda c: xlsx({"Hinweise": [["Bitte Blatt 2"]], "Daten": sgb2_rows(c)}),
        ),
        Expect("geladen", rows_loaded=5),
    ),
    Hostile(
        "xlsx_fuehrende_nullen",
        "XLSX: Gebietsschlüssel als Zahl (010101 -> 10101)",
        "sgb2",
        "sgb2/sgb2_2024-11.xlsx",
        _w("sgb2/sgb2_2024-11.xlsx", lambda c: xlsx({"Daten": sgb2_rows(c, numeric_keys=True)})),
        Expect("geladen", rows_loaded=0, quarantine={(7, "gebiet_id", "gebiet_unbekannt")}),
    ),
    Hostile(
        "xlsx_ohne_tabelle",
        "XLSX ohne erkennbare Tabelle",
        "sgb2",
        "sgb2/sgb2_2024-11.xlsx",
        _w("sgb2/sgb2_2024-11.xlsx", lambda c: xlsx({"Blatt1": [["nichts"], ["hier"]]})),
        Expect("abgewiesen", "kopfzeile_fehlt"),
    ),
    Hostile(
        "xlsx_umbenannt",
        "CSV-Datei mit Endung .xlsx",
        "sgb2",
        "sgb2/sgb2_2024-11.xlsx",
        _w("sgb2/sgb2_2024-11.xlsx", lambda c: sgb2(c).encode("cp1252")),
        Expect("abgewiesen", "datei_unlesbar", message_has=("Excel",)),
    ),
    Hostile(
        "geld_symbole",
        "€, * und Überlauf in Geldspalten",
        "finanzen",
        F23,
        _money_symbols,
        Expect(
            "geladen",
            rows_loaded=4,
            quarantine={
                (8, "ist", "wert_ungueltig"),
                (7, "ist", "wert_ungueltig"),
                (6, "ansatz", "wert_ungueltig"),
            },
        ),
    ),
    Hostile(
        "formeln",
        "Tabellenformeln in Textfeldern (=HYPERLINK, +cmd|)",
        "finanzen",
        F23,
        _formulas,
        Expect("geladen", rows_loaded=7),
    ),
    Hostile(
        "gebiete_doppelt",
        "doppelter Gebietsschlüssel",
        "reference",
        "reference/gebiete.csv",
        _duplicate_area,
        Expect("abgewiesen", "referenz_ungueltig", message_has=("0101 doppelt", "Zeilen 5, 14")),
    ),
    Hostile(
        "gebiete_zyklus",
        "Zyklus in der Gebietshierarchie",
        "reference",
        "reference/gebiete.csv",
        _cycle,
        Expect("abgewiesen", "referenz_ungueltig", message_has=("Zyklus",)),
    ),
    Hostile(
        "umschluessel_anteile",
        "Anteile summieren nicht zu 1",
        "reference",
        "reference/gebiete_umschluessel.csv",
        _bad_shares,
        Expect("abgewiesen", "referenz_ungueltig", message_has=("020100", "1,1000")),
    ),
    Hostile(
        "adressen_leer",
        "Straßenverzeichnis nur mit Kopfzeile",
        "reference",
        "reference/adressen.csv",
        _w(
            "reference/adressen.csv",
            lambda c: "strasse;hausnummer;zusatz;gebiet_id;gueltig_ab;gueltig_bis\n",
        ),
        Expect("abgewiesen", "referenz_ungueltig", message_has=("keine Datenzeilen",)),
    ),
    Hostile(
        "geojson_kaputt",
        "GeoJSON ohne gültige Features",
        "reference",
        "reference/gebiete.geojson",
        _w("reference/gebiete.geojson", lambda c: '{"features": [1, "x", null]}'),
        Expect("abgewiesen", "datei_unlesbar"),
    ),
    Hostile(
        "dateiname_ungueltig",
        "Dateiname ohne Zeitraum",
        "sgb2",
        "sgb2/sgb2_Dezember.csv",
        _w("sgb2/sgb2_Dezember.csv", lambda c: sgb2(c).encode("cp1252")),
        Expect("abgewiesen", "dateiname_ungueltig"),
    ),
    Hostile(
        "periode_doppelt",
        "CSV und XLSX für denselben Monat",
        "sgb2",
        S11,
        _period_twice,
        Expect("abgewiesen", "periode_doppelt"),
    ),
    Hostile(
        "symlink_aussen",
        "symbolischer Link auf ../../ausserhalb.csv",
        "einwohner",
        E6,
        _symlink_outside,
        Expect("abgewiesen", "datei_unzulaessig"),
    ),
    Hostile(
        "symlink_dev_zero",
        "symbolischer Link auf /dev/zero",
        "sgb2",
        S11,
        lambda c: os.symlink("/dev/zero", c.landing / S11),
        Expect("abgewiesen", "datei_unzulaessig"),
    ),
    Hostile(
        "ordner_als_link",
        "Quellordner sgb2/ ist ein Link nach außen",
        "sgb2",
        "sgb2/sgb2_2024-11.csv",
        _folder_link,
        Expect("abgewiesen", "datei_unzulaessig"),
    ),
    Hostile(
        "fifo",
        "benannte Pipe statt Datei",
        "einwohner",
        E6,
        _fifo,
        Expect("abgewiesen", "datei_unzulaessig"),
    ),
    Hostile(
        "pfad_mit_punkten",
        "Dateiname '..\\..\\einwohner_2024-06-30.csv'",
        "einwohner",
        "einwohner/..\\..\\einwohner_2024-06-30.csv",
        _w("einwohner/..\\..\\einwohner_2024-06-30.csv", einwohner),
        Expect("ignoriert"),
    ),
    Hostile(
        "haushaltsjahr_2999",
        "Haushaltsjahr 2999 (Tippfehler, kein Haushaltsplan)",
        "finanzen",
        "finanzen/finanzen_2999.csv",
        _w("finanzen/finanzen_2999.csv", lambda c: finanzen(c, 2999)),
        Expect("abgewiesen", "periode_zukunft", message_has=("2999", "Zukunft")),
    ),
    Hostile(
        "periode_vor_1950",
        "Stichtag 1024 (Tippfehler)",
        "einwohner",
        "einwohner/einwohner_1024-12-31.csv",
        _w("einwohner/einwohner_1024-12-31.csv", lambda c: einwohner(c, "31.12.1024")),
        Expect("abgewiesen", "periode_unplausibel", message_has=("1950",)),
    ),
    Hostile(
        "adressen_gebiet_unbekannt",
        "Straßenverzeichnis: Adresse in Gebiet 999999, das es nicht gibt",
        "reference",
        "reference/adressen.csv",
        _w("reference/adressen.csv", lambda c: adressen(c) + "Marktplatz;3;;999999;2000-01-01;\n"),
        Expect("abgewiesen", "referenz_ungueltig", message_has=("999999 (Zeile 12)",)),
    ),
    Hostile(
        "adressen_nicht_feinste_ebene",
        "Straßenverzeichnis: Adresse im Stadtteil 0101 statt im feinsten Gebiet",
        "reference",
        "reference/adressen.csv",
        _w("reference/adressen.csv", lambda c: adressen(c) + "Marktplatz;3;;0101;2000-01-01;\n"),
        Expect("abgewiesen", "referenz_ungueltig", message_has=("0101 (Zeile 12)",)),
    ),
    Hostile(
        "adressen_ueberlappend",
        "Straßenverzeichnis: Marktplatz 1 ab 2010 zusätzlich in 010102 (überlappt)",
        "reference",
        "reference/adressen.csv",
        _w(
            "reference/adressen.csv",
            lambda c: adressen(c) + "MARKTPLATZ;1;;010102;2010-01-01;\n",
        ),
        Expect("abgewiesen", "referenz_ungueltig", message_has=("überlappend", "Zeile 12")),
    ),
    Hostile(
        "gebiete_ueberlappend",
        "Gebiet 010101 zweimal mit überlappender Gültigkeit",
        "reference",
        "reference/gebiete.csv",
        _w(
            "reference/gebiete.csv",
            lambda c: gebiete(c) + "010101;Markt neu;planungsraum;3;0101;2020-01-01;\n",
        ),
        Expect("abgewiesen", "referenz_ungueltig", message_has=("010101", "überlappt")),
    ),
    Hostile(
        "adressen_schreibweisen",
        "sgb12: Adressen als GROSS, `Str.`, `2-a`, `12.0`, `3 a`, doppelte Leerzeichen",
        "sgb12",
        "sgb12/sgb12_2024-06-30.csv",
        _sgb12_spellings,
        Expect("geladen", rows_loaded=5, quarantine={(7, "strasse", "adresse_unbekannt")}),
    ),
    Hostile(
        "daten_vor_kopfzeile",
        "fünf Datenzeilen über der Kopfzeile",
        "einwohner",
        E6,
        _rows_above_header,
        Expect("abgewiesen", "daten_vor_kopfzeile", message_has=("5 Zeilen", "Zeile 6")),
    ),
    Hostile(
        "sgb2_ohne_fussblock",
        "sgb2: genau an einem Zeilenende abgeschnitten, BA-Fußblock fehlt",
        "sgb2",
        S11,
        _w(S11, lambda c: sgb2_cut_at_line_end(c).encode("cp1252")),
        Expect("abgewiesen", "datei_unvollstaendig", message_has=("Fußblock", "Zeile 9")),
    ),
    Hostile(
        "xlsx_ohne_fussblock",
        "sgb2 als XLSX ohne BA-Fußblock",
        "sgb2",
        "sgb2/sgb2_2024-11.xlsx",
        _w(
            "sgb2/sgb2_2024-11.xlsx",
            lambda c: xlsx(
                {"Daten": [r for r in sgb2_rows(c) if not str(r[0]).startswith(("*", "-", "©"))]}
            ),
        ),
        Expect("abgewiesen", "datei_unvollstaendig", message_has=("Fußblock",)),
    ),
    Hostile(
        "titel_mit_trennzeichen",
        "sgb2: Titelblock mit ';' aufgefüllt (Tabellenexport), kein Datenverlust",
        "sgb2",
        S11,
        _w(S11, lambda c: sgb2_padded_title(c).encode("cp1252")),
        Expect("geladen", rows_loaded=5),
    ),
    Hostile(
        "kopf_name_adresse_sgb12",
        "sgb12: Kopfzeile nachname;vorname mit strasse;hausnummer vertauscht",
        "sgb12",
        S12,
        _w(S12, lambda c: swap_header(sgb12_text(c), NAME_ADDRESS).encode("cp1252")),
        Expect("abgewiesen", "inhalt_unplausibel", message_has=("hausnummer", "nachname")),
    ),
    Hostile(
        "kopf_stichtag_geburtsdatum_sgb12",
        "sgb12: Kopfzeile stichtag mit geburtsdatum vertauscht",
        "sgb12",
        S12,
        _w(
            S12,
            lambda c: swap_header(sgb12_text(c), [("stichtag", "geburtsdatum")]).encode("cp1252"),
        ),
        Expect("abgewiesen", "inhalt_unplausibel", message_has=("stichtag", "geburtsdatum")),
    ),
    Hostile(
        "kopf_name_adresse_sgb8",
        "sgb8: Kopfzeile nachname;vorname mit strasse;hausnummer vertauscht",
        "sgb8",
        S8,
        _w(S8, lambda c: swap_header(sgb8_text(c), NAME_ADDRESS)),
        Expect("abgewiesen", "inhalt_unplausibel", message_has=("hausnummer",)),
    ),
    Hostile(
        "kopf_geburtsdatum_beginn_sgb8",
        "sgb8: Kopfzeile geburtsdatum mit beginn vertauscht",
        "sgb8",
        S8,
        _w(S8, lambda c: swap_header(sgb8_text(c), [("geburtsdatum", "beginn")])),
        Expect("abgewiesen", "inhalt_unplausibel", message_has=("geburtsdatum",)),
    ),
    Hostile(
        "kennung_als_name_sgb12",
        "sgb12: Kopfzeile aktenzeichen mit nachname vertauscht",
        "sgb12",
        S12,
        _w(
            S12,
            lambda c: swap_header(sgb12_text(c), [("aktenzeichen", "nachname")]).encode("cp1252"),
        ),
        Expect("abgewiesen", "inhalt_unplausibel", message_has=("aktenzeichen",)),
    ),
    Hostile(
        "datei_zu_gross",
        "300 MB große CSV-Datei (Export des ganzen Registers statt einer Tabelle)",
        "einwohner",
        E6,
        _sparse_file(E6, 300 * 1024 * 1024),
        Expect("abgewiesen", "datei_zu_gross", message_has=("300 MB", "256 MB")),
    ),
    Hostile(
        "zeile_zu_lang",
        "eine Zeile von über 4 Mio. Zeichen ohne Trennzeichen",
        "einwohner",
        E6,
        _long_line,
        Expect("abgewiesen", "datei_zu_gross", message_has=("Zeile 3", "Zeichen")),
    ),
    Hostile(
        "xlsx_bombe",
        "XLSX, das sich auf 600 MB entpackt (Zip-Bombe, 0,6 MB auf der Platte)",
        "sgb2",
        "sgb2/sgb2_2024-11.xlsx",
        _xlsx_bomb,
        Expect("abgewiesen", "datei_zu_gross", message_has=("entpackt", "512 MB")),
    ),
    Hostile(
        "xlsx_zelle_zu_lang",
        "XLSX mit einer Zelle von 40.000 Zeichen (Excel erlaubt 32.767)",
        "sgb2",
        "sgb2/sgb2_2024-11.xlsx",
        _xlsx_long_cell,
        Expect("abgewiesen", "datei_zu_gross", message_has=("Zeile 1", "Spalte 1", "32.767")),
    ),
    Hostile(
        "geojson_zu_gross",
        "300 MB große GeoJSON-Datei",
        "reference",
        "reference/gebiete.geojson",
        _sparse_file("reference/gebiete.geojson", 300 * 1024 * 1024),
        Expect("abgewiesen", "datei_zu_gross", message_has=("300 MB",)),
    ),
    Hostile(
        "summenzeile_widerspruch",
        "sgb2: Summenzeile der Gemeinde kleiner als ihre bekannten Teilgebiete (bg 400 < 510)",
        "sgb2",
        S11,
        _w(S11, lambda c: sgb2_with_total(c, "00;Musterstadt;400;1.389;959;430;409;318;653;81")),
        Expect(
            "abgewiesen",
            "summenzeile_widerspruch",
            message_has=("Summenzeile 00", "bg", "mindestens 511"),
        ),
    ),
    Hostile(
        "summenzeile_gemeinde",
        "sgb2: mit der Zeile der Gemeinde insgesamt (BA-Tabelle), passend zu ihren Teilgebieten",
        "sgb2",
        S11,
        _w(S11, lambda c: sgb2_with_total(c, "00;Musterstadt;512;1.389;959;430;409;318;653;81")),
        Expect("geladen", rows_loaded=6),
    ),
]

assert len({c.name for c in CASES}) == len(CASES)


def by_name(name: str) -> Hostile:
    return next(c for c in CASES if c.name == name)


def target_path(case, hostile: Hostile) -> Path:
    return case.landing / hostile.target
