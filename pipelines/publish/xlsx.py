"""A vectorised XLSX writer for the publish zone's Excel exports.

xlsxwriter writes cell by cell in Python (about 50 000 cells a second). This module builds
the worksheet XML column-wise with polars string expressions, in row chunks, and streams it
into the zip. The cell rules are those of the former xlsxwriter loop in `write._write_excel`
(constant_memory mode: inline strings, formula-like text neutralised, dates as serial numbers
with the format dd.mm.yyyy). Every part of the package is byte-identical to what xlsxwriter
3.3 writes for the same table, the worksheet included, except for the text of floats whose
shortest round-trip form differs from xlsxwriter's 16 significant digits (`_number_text`)
and the date 01.01.1900 (`_date_serial`); only the zip's compression level differs.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl

# Rows per chunk of worksheet XML: 40-70 MB of XML at 10-15 columns, which bounds memory.
CHUNK_ROWS = 100_000
# a text cell starting with one of these is a formula to Excel (CSV/formula injection):
# written as text, never as a formula (write.py checks published texts with it too)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXCEL_ROWS = 1_048_576
EXCEL_COLS = 16_384
# Excel's limit for the text of one cell, in UTF-16 code units (xlsxwriter truncates).
STRING_MAX = 32_767
INVALID_SHEET_CHARS = set("[]:*?/\\")

# Zip entry metadata as xlsxwriter writes it from its temp files (mtime 31.01.1980, mode
# 0600, Unix): fixed, so the same input gives the same bytes on every run (and on every
# machine with the same zlib).
ZIP_DATE = (1980, 1, 31, 0, 0, 0)
ZIP_ATTR = 0o100600 << 16
# Deflate level: zlib's default (6) costs 11 s for the 430 MB of XML of 1M rows x 10 columns,
# level 1 about 3 s for a file ~25 % larger (75 instead of 59 MB).
COMPRESS_LEVEL = 1

XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"

BOLD_XF = 1  # header style, first format xlsxwriter hands an index
DATE_XF = 2  # dd.mm.yyyy, used only if the sheet holds a date

# Control characters that XML 1.0 forbids; Excel (and xlsxwriter) write them as _xHHHH_.
_CONTROL = [chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20))] + ["\ufffe", "\uffff"]
_CONTROL_ESCAPED = [f"_x{ord(c):04X}_" for c in _CONTROL]
# A literal "_x0041_" in the text must survive Excel's unescaping: its underscore is escaped.
_ESCAPE_LIKE = r"_x[0-9a-fA-F]{4}_"
# Leading/trailing whitespace needs xml:space="preserve" (Python's and Rust's \s agree here:
# the only difference, U+001C..U+001F, is escaped before the test).
_EDGE_SPACE = r"^\s|\s$"
# Anything one of the escaping steps would change: most text has none and skips them.
_SPECIAL = r"[\x00-\x08\x0b-\x1f&<>\x{FFFE}\x{FFFF}]|_x[0-9a-fA-F]{4}_|^\s|\s$"


# --- text rules (Python reference, used for headers and metadata) ---------------------------


def utf16_truncate(text: str, limit: int = STRING_MAX) -> str:
    """Cut text to `limit` UTF-16 units without splitting a character above U+FFFF."""
    if len(text) <= limit // 2:
        return text
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return text[:index]
    return text


def escape_text(text: str) -> tuple[str, bool]:
    """Cell text as XML element content, and whether it needs xml:space="preserve"."""
    text = re.sub(f"({_ESCAPE_LIKE})", r"_x005F\1", text)
    for char, escaped in zip(_CONTROL, _CONTROL_ESCAPED, strict=True):
        text = text.replace(char, escaped)
    preserve = bool(re.search(_EDGE_SPACE, text))
    return _escape_data(text), preserve


def _escape_data(text: str) -> str:
    # Element content: quotes need no escaping (xlsxwriter and Excel leave them).
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attribute(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
        .replace(">", "&gt;").replace("\n", "&#xA;")
    )  # fmt: skip


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --- strings ---------------------------------------------------------------------------------


def _string_texts(series: pl.Series) -> tuple[pl.Series, bool]:
    """Cell text of a string column, and whether each value starts with the rest of its
    opening tag (`>` or ` xml:space="preserve">`; only if some value needs the latter).

    Neutralised and truncated (in that order, as before), then escaped. Escaping needs
    several passes, so it runs only over the values that hold something to escape.
    """
    series = _neutralise_truncate(series)
    special = series.str.contains(_SPECIAL).fill_null(False)
    if not special.any():
        return series, False
    index = special.arg_true()
    escaped = series.gather(index).to_frame("s").select(_escaped("s")).to_series()
    tagged = bool(escaped.str.starts_with(" ").any())
    if tagged:
        series = series.to_frame("s").select(pl.concat_str([pl.lit(">"), "s"])).to_series()
    else:
        escaped = escaped.str.strip_prefix(">")
    return series.scatter(index, escaped), tagged


def _escaped(name: str) -> pl.Expr:
    """The vectorised `escape_text`, with the opening tag's rest in front."""
    text = (
        pl.col(name)
        .str.replace_all(_ESCAPE_LIKE, "_x005F$0")
        .str.replace_many(_CONTROL, _CONTROL_ESCAPED)
    )
    tag = (
        pl.when(text.str.contains(_EDGE_SPACE))
        .then(pl.lit(' xml:space="preserve">'))
        .otherwise(pl.lit(">"))
    )
    escaped = text.str.replace_many(["&", "<", ">"], ["&amp;", "&lt;", "&gt;"])
    return pl.concat_str([tag, escaped])


def _neutralise_truncate(series: pl.Series) -> pl.Series:
    """Formula-like text gets a leading ' (write.neutralise); text over Excel's limit is cut."""
    formula = _formula_like(series)
    if formula.any():
        index = formula.arg_true()
        series = series.scatter(index, "'" + series.gather(index))
    # Only text longer than half the limit can exceed it: those few go through Python.
    long = (series.str.len_chars() > STRING_MAX // 2).fill_null(False)
    if long.any():
        index = long.arg_true()
        series = series.scatter(index, [utf16_truncate(v) for v in series.gather(index)])
    return series


def _formula_like(series: pl.Series) -> pl.Series:

    starts = [pl.col("s").str.starts_with(start) for start in FORMULA_START]
    return series.to_frame("s").select(pl.any_horizontal(starts).fill_null(False)).to_series()


# --- cell expressions ------------------------------------------------------------------------


def _number_text(name: str, dtype: pl.DataType) -> pl.Expr:
    """Numbers as text; NaN and infinities become no cell (Excel has no such number).

    Floats are written in their shortest round-trip form ("0.30000000000000004"), integral
    ones without ".0" as xlsxwriter does; xlsxwriter rounds to 16 significant digits ("0.3"),
    so non-integral values may differ in the last digit of the text, never in Excel's value
    beyond its 15 displayed digits.
    """
    if dtype.is_integer():
        return pl.col(name).cast(pl.String)
    value = pl.col(name).cast(pl.Float64)
    value = pl.when(value.is_finite()).then(value)
    return value.cast(pl.String).str.strip_suffix(".0")


def _date_serial(name: str, dtype: pl.DataType) -> pl.Expr:
    """Excel serial day number of the date (1900 date system).

    As xlsxwriter: days since 31.12.1899, plus one from 01.03.1900 on (Excel counts the
    non-existent 29.02.1900); earlier dates give serials <= 0, as there. Unlike xlsxwriter,
    01.01.1900 is 1 (xlsxwriter writes 0 for it, taking it for a time of day). Datetimes
    keep only their date, as the former writer did.
    """
    day = pl.col(name)
    if isinstance(dtype, pl.Datetime):
        day = day.dt.date()
    days = day.cast(pl.Int32) + 25_568  # 31.12.1899 -> 01.01.1970
    return (days + (days > 59).cast(pl.Int32)).cast(pl.String)


def _is_date(dtype: pl.DataType) -> bool:
    return dtype == pl.Date or isinstance(dtype, pl.Datetime)


def _cell_expr(
    name: str, dtype: pl.DataType, letters: str, row_text: pl.Expr, tagged: bool
) -> pl.Expr:
    """One cell per row; null where the frame has no value (concat_str propagates nulls)."""
    ref = pl.lit(f'<c r="{letters}')
    if dtype == pl.String:  # prepared by _string_texts
        open_tag = '" t="inlineStr"><is><t' + ("" if tagged else ">")
        parts = [pl.lit(open_tag), pl.col(name), pl.lit("</t></is></c>")]
    elif dtype == pl.Boolean:
        value = pl.col(name).cast(pl.Int8).cast(pl.String)
        parts = [pl.lit('" t="b"><v>'), value, pl.lit("</v></c>")]
    elif _is_date(dtype):
        parts = [pl.lit(f'" s="{DATE_XF}"><v>'), _date_serial(name, dtype), pl.lit("</v></c>")]
    else:
        parts = [pl.lit('"><v>'), _number_text(name, dtype), pl.lit("</v></c>")]
    return pl.concat_str([ref, row_text, *parts])


# --- frame preparation -----------------------------------------------------------------------


def _prepare(frame: pl.DataFrame) -> tuple[pl.DataFrame, frozenset[str]]:
    """Normalise column types and turn strings into escaped cell text (see _string_texts);
    also the names of string columns whose values carry the rest of their opening tag."""
    columns, tagged = [], set()
    for i, (name, dtype) in enumerate(frame.schema.items()):
        series = frame.get_column(name)
        if isinstance(dtype, (pl.Categorical, pl.Enum)):
            series, dtype = series.cast(pl.String), pl.String
        if dtype == pl.String:
            series, has_tag = _string_texts(series)
            if has_tag:
                tagged.add(f"c{i}")
        elif dtype == pl.Null:
            pass
        elif not (
            dtype == pl.Boolean
            or _is_date(dtype)
            or dtype.is_numeric()
            or isinstance(dtype, pl.Decimal)
        ):
            raise TypeError(
                f"Spalte {name!r}: Typ {dtype} kann nicht nach Excel geschrieben werden"
            )
        columns.append(series.rename(f"c{i}"))  # own names: no clash with __row
    return pl.DataFrame(columns), frozenset(tagged)


def _present(frame: pl.DataFrame) -> pl.Expr:
    """Per row: does it hold at least one cell? (rows without cells are not written)."""
    present = [_cell_present(name, dtype) for name, dtype in frame.schema.items()]
    return pl.any_horizontal(present) if present else pl.lit(False)


def _cell_present(name: str, dtype: pl.DataType) -> pl.Expr:
    if dtype.is_float() or isinstance(dtype, pl.Decimal):
        return pl.col(name).cast(pl.Float64).is_finite().fill_null(False)
    return pl.col(name).is_not_null()


# --- the worksheet ---------------------------------------------------------------------------


def _row_block(
    frame: pl.DataFrame, tagged: frozenset[str], present: pl.Series, offset: int
) -> bytes:
    """The <row> elements of rows offset .. offset+CHUNK_ROWS as UTF-8 bytes."""
    chunk = frame.slice(offset, CHUNK_ROWS)
    chunk = chunk.with_columns(
        present.slice(offset, CHUNK_ROWS).alias("__present"),
        pl.int_range(offset + 2, offset + 2 + chunk.height).cast(pl.String).alias("__row"),
    )
    row_text = pl.col("__row")
    cells = [
        _cell_expr(name, dtype, column_letters(i), row_text, name in tagged)
        for i, (name, dtype) in enumerate(frame.schema.items())
        if dtype != pl.Null
    ]
    row = pl.concat_str(
        [pl.lit('<row r="'), row_text, pl.lit('">'), *cells, pl.lit("</row>")], ignore_nulls=True
    )
    rows = chunk.lazy().filter(pl.col("__present")).select(row).collect()
    # One text column without quoting or separators: the CSV writer emits exactly the
    # concatenated values, as bytes and far faster than joining into a Python string.
    buffer = io.BytesIO()
    rows.write_csv(buffer, include_header=False, quote_style="never", line_terminator="")
    return buffer.getvalue()


def _sheet_rows(frame: pl.DataFrame, tagged: frozenset[str], present: pl.Series) -> Iterator[bytes]:
    """Row blocks in order; the next block is built while the caller compresses this one
    (polars and zlib both release the GIL)."""
    offsets = range(0, frame.height, CHUNK_ROWS)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = None
        for offset in offsets:
            future = pool.submit(_row_block, frame, tagged, present, offset)
            if pending is not None:
                yield pending.result()
            pending = future
        if pending is not None:
            yield pending.result()


def _header_row(headers: list[str]) -> str:
    cells = []
    for i, header in enumerate(headers):
        text, preserve = escape_text(utf16_truncate(header))
        space = ' xml:space="preserve"' if preserve else ""
        cells.append(
            f'<c r="{column_letters(i)}1" s="{BOLD_XF}" t="inlineStr"><is><t{space}>{text}'
            "</t></is></c>"
        )
    return '<row r="1">' + "".join(cells) + "</row>" if cells else ""


def _dimension(width: int, last_row: int) -> str:
    """The used range as xlsxwriter reports it: A1 up to the last column and written row."""
    if width == 0:
        return "A1"
    end = f"{column_letters(width - 1)}{last_row}"
    return "A1" if end == "A1" else f"A1:{end}"


def _sheet_head(dimension: str, selected: bool = True) -> str:
    tab = 'tabSelected="1" ' if selected else ""
    return (
        f'{XML_HEAD}<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
        f'<dimension ref="{dimension}"/><sheetViews><sheetView {tab}'
        'workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
        'state="frozen"/><selection pane="bottomLeft"/></sheetView></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/>'
    )


SHEET_TAIL = (
    '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
    "</worksheet>"
)


# --- the other package parts (as xlsxwriter writes them) -------------------------------------


def _content_types(sheets: int = 1) -> str:
    ct = "application/vnd.openxmlformats-officedocument"
    overrides = [
        ("/docProps/app.xml", f"{ct}.extended-properties+xml"),
        ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
        ("/xl/styles.xml", f"{ct}.spreadsheetml.styles+xml"),
        ("/xl/theme/theme1.xml", f"{ct}.theme+xml"),
        ("/xl/workbook.xml", f"{ct}.spreadsheetml.sheet.main+xml"),
        *[
            (f"/xl/worksheets/sheet{i}.xml", f"{ct}.spreadsheetml.worksheet+xml")
            for i in range(1, sheets + 1)
        ],
    ]
    return (
        f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides)
        + "</Types>"
    )


def _relationships(targets: list[tuple[str, str]]) -> str:
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{kind}" Target="{target}"/>'
        for i, (kind, target) in enumerate(targets, start=1)
    )
    return f'{XML_HEAD}<Relationships xmlns="{NS_PKG_REL}">{rels}</Relationships>'


def _root_rels() -> str:
    return _relationships([
        (f"{NS_REL}/officeDocument", "xl/workbook.xml"),
        (f"{NS_PKG_REL}/metadata/core-properties", "docProps/core.xml"),
        (f"{NS_REL}/extended-properties", "docProps/app.xml"),
    ])  # fmt: skip


def _workbook_rels(sheets: int = 1) -> str:
    return _relationships([
        *[(f"{NS_REL}/worksheet", f"worksheets/sheet{i}.xml") for i in range(1, sheets + 1)],
        (f"{NS_REL}/theme", "theme/theme1.xml"),
        (f"{NS_REL}/styles", "styles.xml"),
    ])  # fmt: skip


def _workbook(sheet_names: list[str]) -> str:
    sheets = "".join(
        f'<sheet name="{_escape_attribute(name)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, name in enumerate(sheet_names, start=1)
    )
    return (
        f'{XML_HEAD}<workbook xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
        '<fileVersion appName="xl" lastEdited="4" lowestEdited="4" rupBuild="4505"/>'
        '<workbookPr defaultThemeVersion="124226"/><bookViews><workbookView xWindow="240" '
        'yWindow="15" windowWidth="16095" windowHeight="9660"/></bookViews><sheets>'
        f"{sheets}</sheets>"
        '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
    )


def _styles(bold: bool, date: bool) -> str:
    font = '<sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/>'
    font += '<scheme val="minor"/>'
    fonts = [f"<font>{font}</font>"] + ([f"<font><b/>{font}</font>"] if bold else [])
    xfs = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>']
    if bold:
        xfs.append('<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>')
    if date:
        xfs.append(
            '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        )
    num_fmts = (
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd.mm.yyyy"/></numFmts>'
        if date else ""
    )  # fmt: skip
    return (
        f'{XML_HEAD}<styleSheet xmlns="{NS_MAIN}">{num_fmts}'
        f'<fonts count="{len(fonts)}">{"".join(fonts)}</fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill><fill>'
        '<patternFill patternType="gray125"/></fill></fills><borders count="1"><border>'
        "<left/><right/><top/><bottom/><diagonal/></border></borders>"
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        f'</cellStyleXfs><cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
        'defaultPivotStyle="PivotStyleLight16"/></styleSheet>'
    )


def _core(title: str) -> str:
    created = "2000-01-01T00:00:00Z"
    return (
        f"{XML_HEAD}<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{_escape_data(title)}</dc:title><dc:creator></dc:creator>"
        "<cp:lastModifiedBy></cp:lastModifiedBy>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{created}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{created}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def _app(sheet_names: list[str]) -> str:
    n = len(sheet_names)
    titles = "".join(f"<vt:lpstr>{_escape_data(name)}</vt:lpstr>" for name in sheet_names)
    return (
        f"{XML_HEAD}<Properties "
        'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        "<Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity>"
        "<ScaleCrop>false</ScaleCrop><HeadingPairs>"
        '<vt:vector size="2" baseType="variant"><vt:variant><vt:lpstr>Worksheets</vt:lpstr>'
        f"</vt:variant><vt:variant><vt:i4>{n}</vt:i4></vt:variant></vt:vector></HeadingPairs>"
        f'<TitlesOfParts><vt:vector size="{n}" baseType="lpstr">'
        f"{titles}</vt:vector></TitlesOfParts>"
        "<Company></Company><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
        "<HyperlinksChanged>false</HyperlinksChanged><AppVersion>12.0000</AppVersion>"
        "</Properties>"
    )


def _theme() -> str:
    from xlsxwriter.theme import THEME_XML_2007  # the Office 2007 theme xlsxwriter writes

    return THEME_XML_2007


# --- the package -----------------------------------------------------------------------------


def _check(frame: pl.DataFrame, sheet_name: str, headers: list[str], title: str) -> None:
    # A Python str may hold a lone surrogate (U+D800..U+DFFF, e.g. from a file name decoded
    # with surrogateescape); UTF-8, and so the XML of the package, cannot. Refused before
    # the file is opened. Frame text needs no check: polars strings are valid UTF-8.
    for what, text in [("Tabellenblattname", sheet_name), ("Titel", title)] + [
        (f"Überschrift {i + 1}", h) for i, h in enumerate(headers)
    ]:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError(
                f"{what}: Zeichen {exc.start + 1} ist ein einzelnes Surrogat "
                f"(U+{ord(text[exc.start]):04X}), kein gültiger Unicode-Text"
            ) from None
    if not sheet_name or len(sheet_name) > 31 or INVALID_SHEET_CHARS & set(sheet_name):
        raise ValueError(f"ungültiger Tabellenblattname: {sheet_name!r}")
    if sheet_name.startswith("'") or sheet_name.endswith("'"):
        raise ValueError(f"ungültiger Tabellenblattname: {sheet_name!r}")
    if len(headers) != frame.width:
        raise ValueError(f"{len(headers)} Überschriften für {frame.width} Spalten")
    if frame.height + 1 > EXCEL_ROWS or frame.width > EXCEL_COLS:
        raise ValueError(f"{frame.height} Zeilen x {frame.width} Spalten passen nicht in Excel")


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info._compresslevel = COMPRESS_LEVEL  # a ZipInfo ignores the ZipFile's level (3.11)
    info.create_system = 3
    info.external_attr = ZIP_ATTR
    return info


def _needs_zip64(prepared: pl.DataFrame) -> bool:
    """Can the worksheet XML exceed 2 GiB? Then its entry needs Zip64, which zipfile must
    know before writing. Decided from an upper bound (at most 104 bytes of markup and number
    per cell, plus the escaped text), so the bytes still depend on the input only; were the
    bound ever wrong, zipfile would refuse at close instead of writing a broken file."""
    bound = 104 * (prepared.height + 1) * max(prepared.width, 1) + 32 * prepared.height
    for name, dtype in prepared.schema.items():
        if dtype == pl.String:
            bound += prepared.get_column(name).str.len_bytes().sum() or 0
    return bound > zipfile.ZIP64_LIMIT


NOTES_SHEET = "Erläuterungen"


def write_sheet(
    path: Path,
    frame: pl.DataFrame,
    sheet_name: str,
    headers: list[str],
    title: str,
    notes: pl.DataFrame | None = None,
) -> None:
    """Write `frame` as the worksheet `sheet_name` of a new workbook at `path`.

    Row 1 holds `headers` in bold and is frozen; nulls, NaN and infinities leave the cell
    empty; text is never a formula or hyperlink. Same input, same bytes. `notes`, if given,
    becomes a second sheet "Erläuterungen" (its column names as headers).
    """
    _check(frame, sheet_name, headers, title)
    sheets = [(sheet_name, frame, headers)]
    if notes is not None:
        if sheet_name == NOTES_SHEET:
            raise ValueError(f"ungültiger Tabellenblattname: {sheet_name!r}")
        _check(notes, NOTES_SHEET, notes.columns, title)
        sheets.append((NOTES_SHEET, notes, notes.columns))
    prepared = [(*_prepare(f), h) for _, f, h in sheets]
    has_date = any(
        _is_date(dtype) and p.get_column(name).null_count() < p.height
        for p, _, _ in prepared
        for name, dtype in p.schema.items()
    )
    names = [name for name, _, _ in sheets]
    parts_before = [
        ("[Content_Types].xml", _content_types(len(sheets))),
        ("_rels/.rels", _root_rels()),
        ("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets))),
    ]
    parts_after = [
        ("xl/workbook.xml", _workbook(names)),
        ("xl/styles.xml", _styles(bold=any(f.width > 0 for _, f, _ in sheets), date=has_date)),
        ("xl/theme/theme1.xml", _theme()),
        ("docProps/core.xml", _core(title)),
        ("docProps/app.xml", _app(names)),
    ]
    with zipfile.ZipFile(
        path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL
    ) as package:
        for name, text in parts_before:
            package.writestr(_zip_info(name), text.encode("utf-8"))
        for i, (sheet_prepared, tagged, sheet_headers) in enumerate(prepared, start=1):
            _write_worksheet(
                package, f"xl/worksheets/sheet{i}.xml", sheet_prepared, tagged, sheet_headers,
                selected=i == 1,
            )  # fmt: skip
        for name, text in parts_after:
            package.writestr(_zip_info(name), text.encode("utf-8"))


def _write_worksheet(
    package: zipfile.ZipFile,
    part: str,
    prepared: pl.DataFrame,
    tagged: frozenset[str],
    headers: list[str],
    selected: bool,
) -> None:
    present = prepared.select(_present(prepared).alias("p")).get_column("p")
    data_rows = present.arg_true()
    last_row = int(data_rows[-1]) + 2 if len(data_rows) else 1
    header = _header_row(headers)
    zip64 = _needs_zip64(prepared)
    with package.open(_zip_info(part), "w", force_zip64=zip64) as sheet:
        sheet.write(_sheet_head(_dimension(prepared.width, last_row), selected).encode("utf-8"))
        if header or len(data_rows):
            sheet.write(b"<sheetData>" + header.encode("utf-8"))
            if len(data_rows):
                for block in _sheet_rows(prepared, tagged, present):
                    sheet.write(block)
            sheet.write(b"</sheetData>")
        else:
            sheet.write(b"<sheetData/>")
        sheet.write(SHEET_TAIL.encode("utf-8"))
