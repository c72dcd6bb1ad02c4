"""Source profiles (Quellprofile): the YAML a city writes to describe its own export format.

A profile maps one foreign file format onto canonical deliveries (docs/sources.md). This module
reads and validates a profile strictly: unknown keys, impossible mappings and age bands that
do not fit the indicator age cuts fail with a German message naming the profile and the spot.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pipelines.config import count_parameters, merkmale

REPO = Path(__file__).resolve().parents[2]
PROFILES_DIR = REPO / "profiles"

KINDS = ("einwohner", "sgb2")
# the area's name, then the counts of the BA table (seeds/merkmale_seed.csv)
SGB2_COLUMNS = ("gebietsname", *merkmale.of_source("sgb2"))
BA_SYMBOLS = ("*", "-", ".", "x")
SEX_CODES = ("m", "w", "d")
CITIZENSHIP_CODES = ("deutsch", "nichtdeutsch")
NOT_BROKEN_DOWN = "insgesamt"  # code for a dimension the source does not break down
MAX_AGE = 100

_TOP_KEYS = {"profil", "beschreibung", "quelle", "dateien", "lieferungen"}
_FILE_KEYS = {"muster", "format", "kodierung", "trennzeichen", "kopfzeilen",
              "kopf_zusammenfuehren", "daten_ab_zeile", "zahlen", "symbole", "spalten_alias",
              "spalten_ignorieren", "weitere_spalten", "zeilen_ohne_gebiet"}  # fmt: skip
_NUMBER_KEYS = {"dezimal", "tausender"}
_DELIVERY_KEYS = {"art", "periode", "gebiet", "gebietsgliederung", "aggregatzeilen",
                  "restgebiet_schluessel", "pruefungen"}  # fmt: skip
_EW_KEYS = {"stichtag", "gesamt", "altersgruppen", "geschlecht", "staatsangehoerigkeit",
            "altersgrenzen_nicht_darstellbar"}  # fmt: skip
_SGB2_KEYS = {"spalten", "nicht_geliefert"}
_PERIOD_KEYS = {"fest", "aus_dateiname"}
_AREA_KEYS = {"spalte", "auffuellen", "namen"}
_BAND_KEYS = {"spalte", "von", "bis", "rest"}
_DIM_KEYS = {"spalten", "rest", "verteilung"}
_CHECK_KEYS = {"summe", "teile"}
_STICHTAG_KEYS = {"spalte", "format"}
STICHTAG_FORMATS = {"JJJJMM": r"^(\d{4})(\d{2})$", "JJJJ-MM-TT": r"^(\d{4})-(\d{2})-(\d{2})$",
                    "TT.MM.JJJJ": r"^(\d{2})\.(\d{2})\.(\d{4})$"}  # fmt: skip
ENCODINGS = ("auto", "utf-8", "windows-1252", "latin-1")


class ProfileError(ValueError):
    """A source profile that cannot be used as written."""


@dataclass(frozen=True)
class NumberFormat:
    decimal: str = ","
    thousands: str = ""  # "" | "." | " "


@dataclass(frozen=True)
class FileSpec:
    pattern: str
    fmt: str  # csv | xlsx
    encoding: str = "auto"
    sep: str = ";"
    header_rows: tuple[int, ...] = (1,)  # 1-based rows (or spreadsheet rows)
    header_merge: str = "verbinden"  # verbinden | unterste
    data_from: int = 2
    numbers: NumberFormat = NumberFormat()
    symbols: dict[str, str | None] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    ignore_columns: tuple[str, ...] = ()
    skip_rows_without_area: bool = False
    report_extra: bool = True


@dataclass(frozen=True)
class AgeBand:
    low: int
    high: int | None  # inclusive; None = open ("und älter")
    column: str | None  # None: the rest (total minus all other bands)

    def label(self) -> str:
        return f"{self.low}–{self.high}" if self.high is not None else f"{self.low} und älter"


@dataclass(frozen=True)
class Dimension:
    """How sex or citizenship is delivered: columns per code, one rest code, distribution."""

    columns: dict[str, str]  # code -> source column (totals over all ages)
    rest: str | None  # code that gets total minus the named columns
    distribution: str  # keine | randsummen

    @property
    def delivered(self) -> bool:
        return bool(self.columns)


@dataclass(frozen=True)
class Check:
    total: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class DeliverySpec:
    kind: str
    period_fixed: str | None
    period_from_name: str | None
    area_column: str
    area_pad: int | None
    area_names: Path | None
    hierarchy: Path | None
    aggregates: str  # keine | auslassen | restgebiete
    rest_key: str | None
    checks: tuple[Check, ...]
    # einwohner
    stichtag_column: str | None = None
    stichtag_format: str | None = None
    total: str | None = None
    bands: tuple[AgeBand, ...] = ()
    sex: Dimension | None = None
    citizenship: Dimension | None = None
    cuts_not_representable: tuple[int, ...] = ()
    # sgb2
    columns: dict[str, str] = field(default_factory=dict)
    not_delivered: str = "."

    def source_columns(self) -> list[str]:
        """Every source column this delivery reads (besides the area column)."""
        cols: list[str] = []
        if self.stichtag_column:
            cols.append(self.stichtag_column)
        if self.total:
            cols.append(self.total)
        cols += [b.column for b in self.bands if b.column]
        for dim in (self.sex, self.citizenship):
            if dim:
                cols += list(dim.columns.values())
        cols += list(self.columns.values())
        for c in self.checks:
            cols += [c.total, *c.parts]
        return list(dict.fromkeys(cols))


@dataclass(frozen=True)
class Profile:
    name: str
    path: Path
    description: str
    files: tuple[FileSpec, ...]
    deliveries: tuple[DeliverySpec, ...]


def _fail(where: str, message: str):
    raise ProfileError(f"{where}: {message}")


def _keys(doc: Any, allowed: set[str], where: str, required: tuple[str, ...] = ()) -> dict:
    if not isinstance(doc, dict):
        _fail(where, "erwartet eine Zuordnung (schlüssel: wert)")
    unknown = sorted(set(doc) - allowed)
    if unknown:
        _fail(
            where, f"unbekannter Schlüssel {unknown[0]!r} (erlaubt: {', '.join(sorted(allowed))})"
        )
    for key in required:
        if doc.get(key) in (None, "", [], {}):
            _fail(where, f"Pflichtangabe {key!r} fehlt")
    return doc


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        _fail(where, "erwartet einen nicht leeren Text")
    return str(value)


def load_profile(path: Path | str) -> Profile:
    """Read and validate one profile file (cached per path and modification time)."""
    p = Path(path).resolve()
    try:
        return _load_cached(p, p.stat().st_mtime_ns)
    except OSError as exc:
        raise ProfileError(f"Quellprofil {p} nicht lesbar: {exc}") from None


@cache
def _load_cached(path: Path, _mtime: int) -> Profile:
    from pipelines.config.safe_yaml import YamlRefused, load_yaml

    try:
        doc = load_yaml(path, "Quellprofil")
    except YamlRefused as exc:
        raise ProfileError(str(exc)) from None
    return parse_profile(doc, path)


def parse_profile(doc: Any, path: Path, age_cuts: tuple[int, ...] | None = None) -> Profile:
    where = f"Quellprofil {path.name}"
    _keys(doc, _TOP_KEYS, where, ("profil", "dateien", "lieferungen"))
    name = _text(doc["profil"], f"{where}, profil")
    if not re.fullmatch(r"[a-z0-9_]+", name):
        _fail(where, f"profil {name!r}: nur Kleinbuchstaben, Ziffern und _ erlaubt")
    if not isinstance(doc["dateien"], list) or not isinstance(doc["lieferungen"], list):
        _fail(where, "dateien und lieferungen müssen Listen sein")
    files = tuple(_parse_file(f, f"{where}, dateien[{i}]") for i, f in enumerate(doc["dateien"]))
    cuts = indicator_age_cuts() if age_cuts is None else age_cuts
    deliveries = tuple(
        _parse_delivery(d, f"{where}, lieferungen[{i}]", path.parent, cuts)
        for i, d in enumerate(doc["lieferungen"])
    )
    kinds = [d.kind for d in deliveries]
    dup = sorted({k for k in kinds if kinds.count(k) > 1})
    if dup:
        _fail(where, f"Lieferart {dup[0]!r} mehrfach beschrieben")
    return Profile(name, path, str(doc.get("beschreibung") or ""), files, deliveries)


def _parse_file(doc: Any, where: str) -> FileSpec:
    _keys(doc, _FILE_KEYS, where, ("muster", "format"))
    pattern = _text(doc["muster"], f"{where}, muster")
    if pattern.startswith("/") or ".." in Path(pattern).parts:
        _fail(where, f"muster {pattern!r} muss relativ zum Eingangsordner sein (ohne '..')")
    fmt = doc["format"]
    if fmt not in ("csv", "xlsx"):
        _fail(where, f"format {fmt!r} unbekannt (erlaubt: csv, xlsx)")
    encoding = doc.get("kodierung", "auto")
    if encoding not in ENCODINGS:
        _fail(where, f"kodierung {encoding!r} unbekannt (erlaubt: {', '.join(ENCODINGS)})")
    sep = doc.get("trennzeichen", ";")
    if not isinstance(sep, str) or len(sep) != 1:
        _fail(where, "trennzeichen muss genau ein Zeichen sein")
    header = doc.get("kopfzeilen", [1])
    header = [header] if isinstance(header, int) else header
    if (
        not isinstance(header, list)
        or not header
        or not all(isinstance(h, int) and h >= 1 for h in header)
        or header != sorted(set(header))
    ):
        _fail(where, "kopfzeilen: aufsteigende Zeilennummern ab 1, z. B. [1] oder [2, 3]")
    merge = doc.get("kopf_zusammenfuehren", "verbinden")
    if merge not in ("verbinden", "unterste"):
        _fail(where, f"kopf_zusammenfuehren {merge!r} unbekannt (erlaubt: verbinden, unterste)")
    data_from = doc.get("daten_ab_zeile", header[-1] + 1)
    if not isinstance(data_from, int) or data_from <= header[-1]:
        _fail(where, "daten_ab_zeile muss hinter der letzten Kopfzeile liegen")
    num = _keys(doc.get("zahlen", {}), _NUMBER_KEYS, f"{where}, zahlen")
    decimal, thousands = num.get("dezimal", ","), num.get("tausender", "")
    if decimal not in (",", "."):
        _fail(where, f"zahlen.dezimal {decimal!r}: erlaubt sind ',' und '.'")
    if thousands not in ("", ".", " "):
        _fail(where, f"zahlen.tausender {thousands!r}: erlaubt sind '', '.' und ' '")
    if thousands == decimal:
        _fail(where, "zahlen: Dezimal- und Tausendertrennzeichen dürfen nicht gleich sein")
    symbols = doc.get("symbole", {}) or {}
    if not isinstance(symbols, dict):
        _fail(where, "symbole: erwartet eine Zuordnung Quellsymbol -> BA-Symbol oder null")
    for src, target in symbols.items():
        if target is not None and target not in BA_SYMBOLS:
            _fail(where, f"symbole: {src!r} -> {target!r}, erlaubt sind {BA_SYMBOLS} oder null")
    aliases = doc.get("spalten_alias", {}) or {}
    if not isinstance(aliases, dict):
        _fail(where, "spalten_alias: erwartet eine Zuordnung Quellname -> Profilname")
    ignore = doc.get("spalten_ignorieren", []) or []
    if not isinstance(ignore, list):
        _fail(where, "spalten_ignorieren muss eine Liste sein")
    extra = doc.get("weitere_spalten", "melden")
    if extra not in ("melden", "ignorieren"):
        _fail(where, "weitere_spalten: erlaubt sind melden, ignorieren")
    skip = doc.get("zeilen_ohne_gebiet", "quarantaene")
    if skip not in ("ueberspringen", "quarantaene"):
        _fail(where, "zeilen_ohne_gebiet: erlaubt sind ueberspringen, quarantaene")
    return FileSpec(
        pattern, fmt, encoding, sep, tuple(header), merge, data_from,
        NumberFormat(decimal, thousands), {str(k): v for k, v in symbols.items()},
        {str(k): str(v) for k, v in aliases.items()}, tuple(str(c) for c in ignore),
        skip == "ueberspringen", extra == "melden",
    )  # fmt: skip


def _ref_path(base: Path, value: Any, where: str) -> Path:
    p = (base / _text(value, where)).resolve()
    if not p.is_file():
        _fail(where, f"Datei {p} nicht gefunden")
    return p


def _parse_delivery(doc: Any, where: str, base: Path, cuts: tuple[int, ...]) -> DeliverySpec:
    if not isinstance(doc, dict) or doc.get("art") not in KINDS:
        _fail(where, f"art muss eine von {', '.join(KINDS)} sein")
    kind = doc["art"]
    where = f"{where} ({kind})"
    extra = _EW_KEYS if kind == "einwohner" else _SGB2_KEYS
    _keys(doc, _DELIVERY_KEYS | extra, where, ("periode", "gebiet"))
    per = _keys(doc["periode"], _PERIOD_KEYS, f"{where}, periode")
    if ("fest" in per) == ("aus_dateiname" in per):
        _fail(where, "periode: genau eine Angabe, fest oder aus_dateiname")
    fixed = per.get("fest")
    if fixed is not None:
        form = r"^\d{4}-\d{2}-\d{2}$" if kind == "einwohner" else r"^\d{4}-\d{2}$"
        if not re.match(form, str(fixed)):
            want = "JJJJ-MM-TT" if kind == "einwohner" else "JJJJ-MM"
            _fail(where, f"periode.fest {fixed!r}: erwartet {want}")
        fixed = str(fixed)
    from_name = per.get("aus_dateiname")
    if from_name is not None:
        try:
            groups = re.compile(from_name).groupindex
        except re.error as exc:
            _fail(where, f"periode.aus_dateiname ist kein regulärer Ausdruck: {exc}")
        if not {"jahr", "monat"} <= set(groups):
            _fail(where, "periode.aus_dateiname braucht die Gruppen (?P<jahr>…) und (?P<monat>…)")
    area = _keys(doc["gebiet"], _AREA_KEYS, f"{where}, gebiet", ("spalte",))
    pad = area.get("auffuellen")
    if pad is not None and (not isinstance(pad, int) or pad < 1):
        _fail(where, "gebiet.auffuellen muss eine positive Stellenzahl sein")
    names = _ref_path(base, area["namen"], f"{where}, gebiet.namen") if "namen" in area else None
    hierarchy = (
        _ref_path(base, doc["gebietsgliederung"], f"{where}, gebietsgliederung")
        if "gebietsgliederung" in doc
        else None
    )
    aggregates = doc.get("aggregatzeilen", "keine")
    if aggregates not in ("keine", "auslassen", "restgebiete"):
        _fail(where, "aggregatzeilen: erlaubt sind keine, auslassen, restgebiete")
    if aggregates != "keine" and hierarchy is None:
        _fail(where, f"aggregatzeilen: {aggregates} braucht eine gebietsgliederung")
    rest_key = doc.get("restgebiet_schluessel")
    if aggregates == "restgebiete" and (not rest_key or "{gebiet_id}" not in str(rest_key)):
        _fail(
            where,
            "restgebiete braucht restgebiet_schluessel mit {gebiet_id}, z. B. '{gebiet_id}-99'",
        )
    checks = []
    for i, c in enumerate(doc.get("pruefungen", []) or []):
        c = _keys(c, _CHECK_KEYS, f"{where}, pruefungen[{i}]", ("summe", "teile"))
        if not isinstance(c["teile"], list):
            _fail(where, f"pruefungen[{i}].teile muss eine Liste sein")
        checks.append(Check(str(c["summe"]), tuple(str(t) for t in c["teile"])))
    common = dict(
        kind=kind, period_fixed=fixed, period_from_name=from_name,
        area_column=str(area["spalte"]), area_pad=pad, area_names=names, hierarchy=hierarchy,
        aggregates=aggregates, rest_key=rest_key, checks=tuple(checks),
    )  # fmt: skip
    if kind == "sgb2":
        return _parse_sgb2(doc, where, common)
    return _parse_einwohner(doc, where, common, cuts)


def _parse_sgb2(doc: dict, where: str, common: dict) -> DeliverySpec:
    cols = doc.get("spalten")
    if not isinstance(cols, dict) or not cols:
        _fail(where, "spalten: Zuordnung Zielspalte -> Quellspalte fehlt")
    unknown = sorted(set(cols) - set(SGB2_COLUMNS))
    if unknown:
        _fail(where, f"spalten: {unknown[0]!r} ist keine Spalte der Lieferart sgb2 "
                     f"(erlaubt: {', '.join(SGB2_COLUMNS)})")  # fmt: skip
    if not set(cols) & set(SGB2_COLUMNS[1:]):
        _fail(where, "spalten: mindestens eine Zählspalte (bg, rlb, ...) muss zugeordnet sein")
    nd = doc.get("nicht_geliefert", ".")
    if nd not in BA_SYMBOLS:
        _fail(where, f"nicht_geliefert {nd!r}: erlaubt sind die BA-Symbole {BA_SYMBOLS}")
    return DeliverySpec(**common, columns={k: str(v) for k, v in cols.items()}, not_delivered=nd)


def _parse_einwohner(doc: dict, where: str, common: dict, cuts: tuple[int, ...]) -> DeliverySpec:
    _keys(doc, _DELIVERY_KEYS | _EW_KEYS, where, ("gesamt", "altersgruppen"))
    stichtag = doc.get("stichtag")
    st_col = st_fmt = None
    if stichtag is not None:
        st = _keys(stichtag, _STICHTAG_KEYS, f"{where}, stichtag", ("spalte", "format"))
        st_col, st_fmt = str(st["spalte"]), st["format"]
        if st_fmt not in STICHTAG_FORMATS:
            _fail(
                where,
                f"stichtag.format {st_fmt!r} unbekannt (erlaubt: {', '.join(STICHTAG_FORMATS)})",
            )
    bands = parse_bands(doc["altersgruppen"], f"{where}, altersgruppen")
    not_representable = doc.get("altersgrenzen_nicht_darstellbar", []) or []
    if not isinstance(not_representable, list) or not all(
        isinstance(x, int) for x in not_representable
    ):
        _fail(where, "altersgrenzen_nicht_darstellbar muss eine Liste ganzer Zahlen sein")
    check_age_cuts(bands, cuts, tuple(not_representable), where)
    sex = _parse_dimension(doc.get("geschlecht"), SEX_CODES, f"{where}, geschlecht")
    cit = _parse_dimension(
        doc.get("staatsangehoerigkeit"), CITIZENSHIP_CODES, f"{where}, staatsangehoerigkeit"
    )
    return DeliverySpec(
        **common, stichtag_column=st_col, stichtag_format=st_fmt, total=str(doc["gesamt"]),
        bands=bands, sex=sex, citizenship=cit, cuts_not_representable=tuple(not_representable),
    )  # fmt: skip


def parse_bands(doc: Any, where: str) -> tuple[AgeBand, ...]:
    """Age bands must cover 0..open end without gaps or overlaps; one band may be the rest."""
    if not isinstance(doc, list) or not doc:
        _fail(where, "erwartet eine Liste von Altersgruppen {spalte, von, bis}")
    bands = []
    for i, b in enumerate(doc):
        b = _keys(b, _BAND_KEYS, f"{where}[{i}]")
        low, high = b.get("von"), b.get("bis")
        if not isinstance(low, int) or low < 0 or low > MAX_AGE:
            _fail(where, f"[{i}]: von muss eine ganze Zahl 0..{MAX_AGE} sein")
        if high is not None and (not isinstance(high, int) or high < low):
            _fail(where, f"[{i}]: bis muss leer (offen) oder eine ganze Zahl >= von sein")
        is_rest = b.get("rest", False) is True
        if is_rest == ("spalte" in b):
            _fail(where, f"[{i}]: genau eines von spalte oder rest: true angeben")
        bands.append(AgeBand(low, high, None if is_rest else str(b["spalte"])))
    bands.sort(key=lambda x: x.low)
    if sum(b.column is None for b in bands) > 1:
        _fail(where, "höchstens eine Altersgruppe darf der Rest sein")
    if bands[0].low != 0:
        _fail(where, f"Altersgruppen beginnen bei {bands[0].low}, nicht bei 0")
    for a, b in itertools.pairwise(bands):
        if a.high is None or a.high + 1 != b.low:
            _fail(where, f"Lücke oder Überschneidung zwischen {a.label()} und {b.label()}")
    last = bands[-1]
    if last.high is not None and last.high < MAX_AGE:
        _fail(
            where,
            f"letzte Altersgruppe {last.label()} endet vor {MAX_AGE}: bis leer lassen (offen)",
        )
    columns = [b.column for b in bands if b.column]
    if len(set(columns)) != len(columns):
        _fail(where, "eine Quellspalte ist mehreren Altersgruppen zugeordnet")
    return tuple(bands)


def check_age_cuts(
    bands: tuple[AgeBand, ...], cuts: tuple[int, ...], allowed: tuple[int, ...], where: str
) -> None:
    """Every indicator age cut (age < cut vs >= cut) must start a band, unless declared."""
    starts = {b.low for b in bands}
    bad = [
        c for c in sorted(set(cuts)) if 0 < c <= MAX_AGE and c not in starts and c not in allowed
    ]
    if bad:
        c = bad[0]
        below = max(s for s in starts if s < c)
        above = min((s for s in starts if s > c), default=None)
        _fail(
            where,
            f"die Altersgrenze {c} der Indikatoren fällt in die Altersgruppe ab {below}"
            + (f" bis unter {above}" if above is not None else "")
            + "; Indikatoren mit dieser Grenze wären falsch. Feinere Altersgruppen liefern oder "
            "die Grenze bewusst unter altersgrenzen_nicht_darstellbar eintragen",
        )


def _parse_dimension(doc: Any, codes: tuple[str, ...], where: str) -> Dimension:
    if doc is None:
        return Dimension({}, None, "keine")
    doc = _keys(doc, _DIM_KEYS, where)
    cols = doc.get("spalten", {}) or {}
    if not isinstance(cols, dict):
        _fail(where, "spalten: erwartet eine Zuordnung Code -> Quellspalte")
    rest = doc.get("rest")
    for code in [*cols, *([rest] if rest else [])]:
        if code not in codes:
            _fail(where, f"Code {code!r} unbekannt (erlaubt: {', '.join(codes)})")
    if rest in cols:
        _fail(where, f"Code {rest!r} ist zugleich Spalte und Rest")
    distribution = doc.get("verteilung", "keine")
    if distribution not in ("keine", "randsummen"):
        _fail(where, "verteilung: erlaubt sind keine, randsummen")
    if cols and len(cols) + (1 if rest else 0) < 2:
        _fail(where, "mindestens zwei Codes (Spalten und Rest) nötig, sonst ist nichts gegliedert")
    return Dimension({k: str(v) for k, v in cols.items()}, rest, distribution)


def indicator_age_cuts(config: dict | None = None) -> tuple[int, ...]:
    """Age cuts the indicators use: `alter < cut` vs `alter >= cut` (the count parameters of
    the city config, defaults from dbt_project.yml)."""
    v = {**count_parameters(), **((config or {}).get("indikatoren") or {})}
    cuts = {
        v["alter_erwerb_ab"], v["sgb2_hoechstalter"] + 1, v["alter_kinder_bis"] + 1,
        v["alter_minderjaehrig_bis"] + 1, v["alter_jung_bis"] + 1, v["alter_senioren_ab"],
    }  # fmt: skip
    return tuple(sorted(cuts))
