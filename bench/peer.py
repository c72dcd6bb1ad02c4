"""The peer: the ingest step as a typical Python data team would write it.

pandas `read_csv` (dtype=str, sep=';', encoding guessed by try/except), German numbers and
dates typed with pandas string methods, pandera's *pandas* backend validating schemas built
from the same data contracts (`load_contract(kind)`: dtypes, nullability, code lists,
patterns, bounds, dataset rules), HMAC-SHA256 per row (no distinct/cache), the address
merge in pandas, and a DuckDB table per kind (period replaced in one transaction).

Differences to the pipeline (see results.md): no rejection of cut-off files (the cut-off
last row fails its checks and is quarantined instead), no `azyklisch` rule on gebiete,
no quarantine table (failing rows are counted and dropped), no audit log, XLSX through
fastexcel -> pandas (openpyxl is not installed), GeoJSON not read.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from pipelines.contracts import load_contract, normalise_header

REFERENCE = ("gebiete", "gebiete_umschluessel", "adressen", "produkte", "ziele")
PERIODS = ("einwohner", "bewegungen", "sgb2", "sgb12", "sgb8", "finanzen")
FOLDER = {k: "reference" for k in REFERENCE} | {k: k for k in PERIODS}
BA_NONE = {"*", ".", "x"}
MONTHS = {m: i + 1 for i, m in enumerate(
    ["januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september",
     "oktober", "november", "dezember"])}  # fmt: skip
PERSONAL_DROP = ["nachname", "vorname", "geburtsdatum", "strasse", "hausnummer",
                 "aktenzeichen", "fall_nr", "person_nr"]  # fmt: skip


class Rejected(Exception):
    pass


# --- reading ---------------------------------------------------------------------------


def read_delivery(path: Path) -> tuple[pd.DataFrame, list[str]]:
    if path.suffix.lower() == ".xlsx":
        return read_xlsx(path)
    for enc in ("utf-8-sig", "cp1252"):
        try:
            with path.open(encoding=enc) as fh:
                head = [fh.readline() for _ in range(60)]
            skip = next(i for i, line in enumerate(head) if line.count(";") >= 1)
            df = pd.read_csv(
                path, sep=";", dtype=str, encoding=enc, skiprows=skip,
                keep_default_na=False, na_values=[""], on_bad_lines="skip",
            )  # fmt: skip
            break
        except UnicodeDecodeError:
            continue
    else:
        raise Rejected("datei_unlesbar")
    # BA footer: lines without a separator become rows with one filled cell
    df = df[df.iloc[:, 1:].notna().any(axis=1)].reset_index(drop=True)
    return df, [x.strip() for x in head[:skip] if x.strip()]


def read_xlsx(path: Path) -> tuple[pd.DataFrame, list[str]]:
    import fastexcel

    raw = fastexcel.read_excel(path).load_sheet(0, header_row=None, dtypes="string").to_pandas()
    raw = raw.astype(object).where(raw.notna(), None)
    filled = raw.notna().sum(axis=1)
    skip = int(np.argmax(filled.to_numpy() >= 3))
    title = [" ".join(str(v) for v in r if v) for r in raw.iloc[:skip].itertuples(index=False)]
    df = raw.iloc[skip + 1 :].copy()
    df.columns = [str(c) for c in raw.iloc[skip]]
    df = df[df.notna().sum(axis=1) > 1].reset_index(drop=True)
    return df, title


# --- typing ----------------------------------------------------------------------------


def german_number(s: pd.Series) -> pd.Series:
    s = s.str.strip().str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    return pd.to_numeric(s, errors="coerce")


def german_date(s: pd.Series) -> pd.Series:
    s = s.str.strip()
    d = pd.to_datetime(s, format="%d.%m.%Y", errors="coerce")
    return d.fillna(pd.to_datetime(s, format="%Y-%m-%d", errors="coerce"))


def type_frame(df: pd.DataFrame, kind: str) -> tuple[pd.DataFrame, pd.Series]:
    """Typed frame and a mask of rows with an unreadable cell (wert_ungueltig)."""
    contract = load_contract(kind)
    lookup = contract.header_lookup()
    df = df.rename(columns={c: lookup.get(normalise_header(str(c)), c) for c in df.columns})
    missing = [c.name for c in contract.columns if c.origin == "spalte" and c.required
               and c.name not in df.columns]  # fmt: skip
    if missing:
        raise Rejected("spalte_fehlt")
    bad = pd.Series(False, index=df.index)
    out = pd.DataFrame(index=df.index)
    for col in contract.columns:
        if col.origin != "spalte":
            continue
        s = (
            df[col.name]
            if col.name in df.columns
            else pd.Series(None, index=df.index, dtype=object)
        )
        s = s.astype("string")
        blank = s.isna() | (s.str.strip() == "")
        if col.ba_symbols:
            sym = s.str.strip().where(s.str.strip().isin(BA_NONE | {"-"}))
            value = german_number(s.where(sym.isna())).astype("Float64")
            value = value.mask((sym == "-").fillna(False).astype(bool), 0)
            bad |= ~blank & sym.isna() & value.isna()
            out[col.name] = value.round().astype("Int64")
            out[f"{col.name}_symbol"] = sym.astype(object).where(sym.notna(), None)
        elif col.logical_type == "integer":
            value = german_number(s)
            bad |= ~blank & value.isna()
            out[col.name] = value.round().astype("Int64")
        elif col.logical_type == "number":
            value = german_number(s)
            bad |= ~blank & value.isna()
            out[col.name] = value.astype("float64")
        elif col.logical_type == "date":
            value = german_date(s)
            bad |= ~blank & value.isna()
            out[col.name] = value
        else:
            out[col.name] = s.str.strip().where(~blank, None).astype(object)
    return out, bad


# --- pandera schemas from the contracts ----------------------------------------------


def completed_years(birth: pd.Series, on: pd.Series) -> pd.Series:
    before = (on.dt.month < birth.dt.month) | (
        (on.dt.month == birth.dt.month) & (on.dt.day < birth.dt.day)
    )
    return on.dt.year - birth.dt.year - before.astype(int)


def _rule_check(rule) -> pa.Check:
    p = rule.params

    def fn(df: pd.DataFrame) -> pd.Series:
        if rule.rule == "summe":
            parts = [rule.column, *p["summanden"]]
            anynull = df[parts].isna().any(axis=1)
            return anynull | (df[rule.column] == df[p["summanden"]].sum(axis=1)).fillna(True)
        if rule.rule == "teilmenge":
            return (df[rule.column] <= df[p["obermenge"]]).fillna(True).astype(bool)
        if rule.rule == "reihenfolge":
            return ~(df[rule.column] < df[p["vorher"]]).fillna(False).astype(bool)
        if rule.rule == "nicht_nach_jahresende":
            end = pd.to_datetime(df[p["jahr"]].astype(str) + "-12-31", errors="coerce")
            return ~(df[rule.column] > end).fillna(False)
        if rule.rule == "eindeutig":
            return ~df.duplicated(subset=p["spalten"], keep="first")
        if rule.rule == "verweis":
            return df[rule.column].isna() | df[rule.column].isin(df[p["ziel"]])
        if rule.rule == "anteile_summe":
            total = df.groupby(p["gruppe"])[rule.column].transform("sum")
            return (total - p["summe"]).abs() <= p["toleranz"]
        if rule.rule == "alter":
            age = completed_years(df[rule.column], df[p["bezug"]])
            upper = pd.Series(p["maximum"], index=df.index)
            for code, maximum in (p.get("ausnahmen") or {}).get("maximum", {}).items():
                upper = upper.mask(df[p["ausnahmen"]["spalte"]] == code, maximum)
            return ((age >= p["minimum"]) & (age <= upper)).fillna(True).astype(bool)
        return pd.Series(True, index=df.index)  # azyklisch: not in the peer

    return pa.Check(fn, name=rule.name)


_SCHEMAS: dict[str, pa.DataFrameSchema] = {}
PANDAS_DTYPE = {"integer": "Int64", "number": "float64", "date": "datetime64[ns]"}


def schema_for(kind: str) -> pa.DataFrameSchema:
    if kind in _SCHEMAS:
        return _SCHEMAS[kind]
    contract = load_contract(kind)
    cols = {}
    for c in contract.columns:
        checks = []
        if c.codes is not None:
            checks.append(pa.Check.isin(list(c.codes)))
        if c.pattern is not None:
            checks.append(pa.Check.str_matches(c.pattern))
        if c.minimum is not None and c.maximum is not None:
            checks.append(pa.Check.in_range(c.minimum, c.maximum))
        elif c.minimum is not None:
            checks.append(pa.Check.ge(c.minimum))
        elif c.maximum is not None:
            checks.append(pa.Check.le(c.maximum))
        dtype = PANDAS_DTYPE.get(c.logical_type, object)
        cols[c.name] = pa.Column(dtype, checks=checks, nullable=c.nullable or c.ba_symbols,
                                 required=c.required or c.origin != "spalte")  # fmt: skip
        if c.ba_symbols:
            cols[f"{c.name}_symbol"] = pa.Column(
                object, pa.Check.isin(list(contract.ba_symbols)), nullable=True
            )
    _SCHEMAS[kind] = pa.DataFrameSchema(
        cols, checks=[_rule_check(r) for r in contract.rules if r.rule != "azyklisch"],
        strict=False, coerce=False,
    )  # fmt: skip
    return _SCHEMAS[kind]


def failing_rows(kind: str, df: pd.DataFrame) -> pd.Series:
    try:
        schema_for(kind).validate(df, lazy=True)
    except SchemaErrors as err:
        idx = pd.to_numeric(err.failure_cases["index"], errors="coerce").dropna().astype(int)
        return df.index.isin(idx.unique())
    return np.zeros(len(df), dtype=bool)


# --- protection --------------------------------------------------------------------------


def hmac_rows(s: pd.Series, key: bytes, namespace: str) -> pd.Series:
    return s.map(
        lambda v: None if v is None or v != v else hmac.new(
            key, f"{namespace}\x1f{v.strip()}".encode(), hashlib.sha256
        ).hexdigest()[:32]
    )  # fmt: skip


def norm_street(s: pd.Series) -> pd.Series:
    s = s.astype("string").str.strip().str.lower().str.replace(r"\s+", " ", regex=True)
    s = s.str.replace(r"strasse\b", "straße", regex=True)
    s = s.str.replace(r"str\.(\s|$)", r"straße\1", regex=True)
    return s.str.replace(r"\s*-\s*", "-", regex=True)


def split_number(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    parts = s.astype("string").str.strip().str.extract(r"^\s*(\d+)\s*([A-Za-z]?)\s*$")
    number = pd.to_numeric(parts[0], errors="coerce").astype("Int64").astype("string")
    number = number.fillna(s.astype("string").str.strip().str.lower())
    return number, parts[1].str.lower().fillna("")


def prepare_directory(adressen: pd.DataFrame) -> pd.DataFrame:
    number, _ = split_number(adressen["hausnummer"])
    return pd.DataFrame({
        "_str": norm_street(adressen["strasse"]), "_hnr": number,
        "_zus": adressen["zusatz"].astype("string").str.strip().str.lower().fillna(""),
        "gebiet_id": adressen["gebiet_id"], "gueltig_ab": adressen["gueltig_ab"],
        "gueltig_bis": adressen["gueltig_bis"],
    })  # fmt: skip


def assign_area(df: pd.DataFrame, directory: pd.DataFrame, ref: pd.Series) -> pd.Series:
    number, suffix = split_number(df["hausnummer"])
    keys = pd.DataFrame({"_pos": np.arange(len(df)), "_str": norm_street(df["strasse"]),
                         "_hnr": number, "_zus": suffix, "_ref": ref.to_numpy()})  # fmt: skip

    def match(on: list[str], d: pd.DataFrame) -> pd.Series:
        m = keys[["_pos", "_ref", *on]].merge(d, on=on, how="inner")
        ok = (m["gueltig_ab"].isna() | (m["gueltig_ab"] <= m["_ref"])) & (
            m["gueltig_bis"].isna() | (m["gueltig_bis"] >= m["_ref"])
        )
        hit = m.loc[ok, ["_pos", "gebiet_id"]].sort_values(["_pos", "gebiet_id"])
        return hit.drop_duplicates("_pos").set_index("_pos")["gebiet_id"]

    exact = match(["_str", "_hnr", "_zus"], directory)
    plain = match(["_str", "_hnr"], directory[directory["_zus"] == ""].drop(columns="_zus"))
    out = pd.Series(exact, index=range(len(df))).fillna(pd.Series(plain, index=range(len(df))))
    return pd.Series(out.to_numpy(), index=df.index, dtype=object)


# --- kinds ---------------------------------------------------------------------------------


def period_of(kind: str, name: str):
    stem = Path(name).stem
    if kind in ("einwohner", "sgb12"):
        return date.fromisoformat(stem.split("_")[-1])
    if kind == "sgb2":
        y, m = map(int, stem.split("_")[-1].split("-"))
        return date(y, m, 1)
    if kind in ("bewegungen", "sgb8", "finanzen"):
        return int(stem.split("_")[-1])
    return None


def transform(kind: str, path: Path, ctx: dict) -> tuple[pd.DataFrame, int, int]:
    raw, title = read_delivery(path)
    typed, bad = type_frame(raw, kind)
    n = len(typed)
    period = period_of(kind, path.name)
    if kind == "sgb2":
        m = re.search(r"Berichtsmonat\s*:?\s*([A-Za-zäÄ]+)\s+(\d{4})", " ".join(title))
        if m and date(int(m[2]), MONTHS.get(m[1].lower(), 0) or 1, 1) != period:
            raise Rejected("periode_widerspruch")
        typed["berichtsmonat"] = pd.Timestamp(period)
    if kind == "sgb8":
        typed["jahr"] = pd.array([period] * n, dtype="Int64")
    pcol = load_contract(kind).period_column
    if kind in ("einwohner", "sgb12") and n:
        off = (typed[pcol] != pd.Timestamp(period)) & typed[pcol].notna()
        if off.sum() * 2 > n:
            raise Rejected("periode_widerspruch")
        bad |= off
    bad |= failing_rows(kind, typed)
    if kind in ("einwohner", "sgb2"):
        day = pd.Timestamp(period if kind == "einwohner" else
                           (pd.Timestamp(period) + pd.offsets.MonthEnd(0)))  # fmt: skip
        a = ctx["areas"]
        valid = a[(a["gueltig_ab"].isna() | (a["gueltig_ab"] <= day))
                  & (a["gueltig_bis"].isna() | (a["gueltig_bis"] >= day))]["gebiet_id"]  # fmt: skip
        bad |= ~typed["gebiet_id"].isin(valid) & typed["gebiet_id"].notna()
    if kind in ("sgb12", "sgb8"):
        key = ctx["key"]
        if kind == "sgb12":
            ref = pd.Series(pd.Timestamp(period), index=typed.index)
            typed["alter"] = completed_years(typed["geburtsdatum"], ref)
            typed["fall_pseudonym"] = hmac_rows(typed["aktenzeichen"], key, "sgb12/fall")
            typed["person_pseudonym"] = hmac_rows(typed["person_nr"], key, "sgb12/person")
            typed["leistungsart"] = typed["leistungsart"].str.upper()
        else:
            end = pd.Timestamp(date(period, 12, 31))
            typed["hilfeart"] = typed["hilfeart"].str.strip().str.lower()
            typed["alter_beginn"] = completed_years(typed["geburtsdatum"], typed["beginn"])
            typed["alter_jahresende"] = completed_years(
                typed["geburtsdatum"], pd.Series(end, index=typed.index)
            )
            typed["fall_pseudonym"] = hmac_rows(typed["fall_nr"], key, "sgb8/fall")
            typed["person_pseudonym"] = hmac_rows(typed["person_nr"], key, "sgb8/person")
            ref = typed["ende"].where(typed["ende"].notna() & (typed["ende"] < end), end)
        typed["gebiet_id"] = assign_area(typed, ctx["directory"], ref)
        bad |= typed["gebiet_id"].isna() & typed["strasse"].notna()
        typed = typed.drop(columns=[c for c in PERSONAL_DROP if c in typed.columns])
    ok = typed[~np.asarray(bad)].copy()
    if kind == "sgb12":
        ok = ok[~ok.duplicated(subset=["person_pseudonym"])]
    return ok, n, n - len(ok)


def write(con: duckdb.DuckDBPyConnection, kind: str, df: pd.DataFrame, period) -> None:
    table = f"raw_{kind}"
    df = df.copy()
    # text columns as text even when a file leaves them all empty (optional columns):
    # DuckDB would otherwise guess a type from the first frame that later files contradict
    for column in [c for c in df.columns if df[c].dtype == object]:
        df[column] = df[column].astype("string")
    if period is not None:
        df["_periode"] = str(period)
    con.register("frame", df)
    con.execute(f"create table if not exists {table} as select * from frame limit 0")
    con.execute("begin")
    if period is None:
        con.execute(f"delete from {table}")
    else:
        con.execute(f"delete from {table} where _periode = ?", [str(period)])
    con.execute(f"insert into {table} by name select * from frame")
    con.execute("commit")
    con.unregister("frame")


def ingest(landing: Path, db: Path, key: bytes) -> dict:
    """Every CSV/XLSX delivery of `landing` into `db`; per kind rows read/loaded/dropped."""
    db.unlink(missing_ok=True)
    stats: dict[str, dict] = {}
    ctx: dict = {"key": key}
    for kind in (*REFERENCE, *PERIODS):
        folder = landing / FOLDER[kind]
        if kind in REFERENCE:
            files = [folder / f"{kind}.csv"]
        else:
            files = sorted(p for p in folder.glob(f"{kind}_*") if p.suffix in (".csv", ".xlsx"))
        s = stats.setdefault(kind, {"files": 0, "rejected": 0, "rows_read": 0, "rows_loaded": 0,
                                    "rows_dropped": 0})  # fmt: skip
        con = duckdb.connect(str(db))
        try:
            for path in files:
                if not path.exists():
                    continue
                s["files"] += 1
                try:
                    ok, n, dropped = transform(kind, path, ctx)
                except Rejected:
                    s["rejected"] += 1
                    continue
                s["rows_read"] += n
                s["rows_loaded"] += len(ok)
                s["rows_dropped"] += dropped
                write(con, kind, ok, period_of(kind, path.name))
                if kind == "gebiete":
                    top = ok["ebene_rang"].max()
                    ctx["areas"] = ok[ok["ebene_rang"] == top]
                if kind == "adressen":
                    ctx["directory"] = prepare_directory(ok)
        finally:
            con.close()
    return stats
