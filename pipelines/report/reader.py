"""Read what the report needs from publish.duckdb, tolerating missing tables and columns.

The report reads nothing but the publish zone, so disclosure control holds in it too. Every
table may be missing or empty (early in a project, or in a city without SGB VIII data): the
reader then returns None / [] and the report prints a German note instead of failing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from pipelines.publish.tables import TABLES

Row = dict[str, Any]

# the published tables and the indicator columns the report reads: from the one declaration
PUBLISH_TABLES = tuple(TABLES)
INDICATOR_COLUMNS = TABLES["indikatoren"].column_names


@dataclass(frozen=True)
class Area:
    gebiet_id: str
    name: str
    ebene: str
    rank: int
    parent_id: str | None
    geometry: str | None


@dataclass
class PublishData:
    """Everything the report shows, already cut to the reference date."""

    periode: date
    present: dict[str, int]  # table name -> row count (only tables that exist)
    areas: dict[str, Area] = field(default_factory=dict)
    levels: list[str] = field(default_factory=list)  # coarse -> fine
    catalogue: dict[str, Row] = field(default_factory=dict)
    current: list[Row] = field(default_factory=list)  # per indicator its latest period <= periode
    # every level above the finest (at least two levels), all periods <= periode
    series: list[Row] = field(default_factory=list)
    previous: list[Row] = field(default_factory=list)  # per indicator one year before current
    # indicator -> (first period, last period, number of periods) over the whole table
    period_range: dict[str, tuple[date, date, int]] = field(default_factory=dict)
    sozialindex: list[Row] = field(default_factory=list)
    sozialindex_periode: date | None = None
    sozialindex_before: list[Row] = field(default_factory=list)  # the index period before
    sozialindex_before_periode: date | None = None
    controlling: list[Row] = field(default_factory=list)
    haushalt: list[Row] = field(default_factory=list)  # controlling_haushalt
    zerlegung: list[Row] = field(default_factory=list)  # controlling_zerlegung
    kennzahlen: list[Row] = field(default_factory=list)  # controlling_kennzahlen
    ziele: list[Row] = field(default_factory=list)
    kontrakte: list[Row] = field(default_factory=list)
    wirkung: list[Row] = field(default_factory=list)  # wirkungsanalyse
    zielueberpruefung: list[Row] = field(default_factory=list)
    bedarfsplanung: list[Row] = field(default_factory=list)
    prognose_guete: list[Row] = field(default_factory=list)

    def has(self, table: str) -> bool:
        return self.present.get(table, 0) > 0


def _as_date(value: Any) -> date | None:
    if value is None:
        return None
    if hasattr(value, "date") and callable(value.date):  # datetime / Timestamp
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def choose_periode(periods: list[date]) -> date | None:
    """Default reference date: the latest 31.12 with data, else the latest period."""
    if not periods:
        return None
    year_ends = [p for p in periods if (p.month, p.day) == (12, 31)]
    return max(year_ends) if year_ends else max(periods)


def valid_on(row: Row, periode: date) -> bool:
    start, end = _as_date(row.get("gueltig_ab")), _as_date(row.get("gueltig_bis"))
    return (start is None or start <= periode) and (end is None or periode <= end)


def select_areas(rows: list[Row], periode: date) -> dict[str, Area]:
    """One version per area key: the one valid on the reference date, else the latest one."""
    chosen: dict[str, Row] = {}
    for row in sorted(rows, key=lambda r: _as_date(r.get("gueltig_ab")) or date.min):
        key = str(row["gebiet_id"])
        if key not in chosen or valid_on(row, periode) or not valid_on(chosen[key], periode):
            chosen[key] = row
    return {
        key: Area(
            gebiet_id=key,
            name=str(row.get("name") or key),
            ebene=str(row.get("ebene") or ""),
            rank=int(row["ebene_rang"]) if row.get("ebene_rang") is not None else -1,
            parent_id=str(row["parent_id"]) if row.get("parent_id") not in (None, "") else None,
            geometry=row.get("geometrie_geojson"),
        )
        for key, row in chosen.items()
    }


def order_levels(areas: dict[str, Area], indicator_rows: list[Row]) -> list[str]:
    """Levels coarse -> fine: by ebene_rang, else by how many areas a level has."""
    ranks: dict[str, int] = {}
    for area in areas.values():
        if area.ebene and area.rank >= 0:
            ranks[area.ebene] = min(ranks.get(area.ebene, area.rank), area.rank)
    counts = Counter()
    seen: set[tuple[str, str]] = set()
    for row in indicator_rows:
        key = (str(row.get("ebene")), str(row.get("gebiet_id")))
        if key not in seen:
            seen.add(key)
            counts[key[0]] += 1
    for level, n in counts.items():
        if level not in ranks:
            # Unknown level: place it by size after the ranked ones (more areas = finer).
            ranks[level] = 1000 + n
    return sorted(ranks, key=lambda lv: (ranks[lv], lv))


def sql_literal(value: str | date) -> str:
    """Inline SQL literal. Prepared parameters are avoided on purpose: DuckDB's Python client
    imports pandas (seconds) on the first parameterised query to inspect parameter types."""
    if isinstance(value, date):
        return f"date '{value.isoformat()}'"
    return "'" + str(value).replace("'", "''") + "'"


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    rows = con.execute(
        "select column_name from information_schema.columns "
        f"where table_schema = 'main' and table_name = {sql_literal(table)} "
        "order by ordinal_position"
    ).fetchall()
    return [r[0] for r in rows]


def _fetch(con: duckdb.DuckDBPyConnection, sql: str) -> list[Row]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, values, strict=True)) for values in cur.fetchall()]


def _select_list(available: list[str], wanted: tuple[str, ...]) -> str:
    """Select wanted columns, NULL for those a (older/newer) publish file lacks."""
    return ", ".join(c if c in available else f"null as {c}" for c in wanted)


def _present_tables(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    names = [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main'"
        ).fetchall()
    ]
    return {n: con.execute(f'select count(*) from "{n}"').fetchone()[0] for n in names}


def _candidate_periods(con: duckdb.DuckDBPyConnection, present: dict[str, int]) -> list[date]:
    for table, column in (("indikatoren", "periode"), ("sozialindex", "periode")):
        if present.get(table) and column in _columns(con, table):
            rows = con.execute(f"select distinct {column} from {table} where {column} is not null")
            periods = [_as_date(r[0]) for r in rows.fetchall()]
            if periods:
                return periods
    return []


def read_publish(publish_db: Path, periode: date | None = None) -> PublishData:
    """Read publish.duckdb read-only; the connection is closed before returning."""
    if not Path(publish_db).exists():
        raise FileNotFoundError(f"Publikationsdatei nicht gefunden: {publish_db}")
    con = duckdb.connect(str(publish_db), read_only=True)
    try:
        present = _present_tables(con)
        if periode is None:
            periode = choose_periode(_candidate_periods(con, present)) or date.today()
        data = PublishData(periode=periode, present=present)
        _read_dimensions(con, data)
        _read_indicators(con, data)
        _read_sozialindex(con, data)
        if present.get("controlling"):
            data.controlling = _fetch(con, "select * from controlling")
        for table, attr in (
            ("controlling_haushalt", "haushalt"),
            ("controlling_zerlegung", "zerlegung"),
            ("controlling_kennzahlen", "kennzahlen"),
            ("kontrakte", "kontrakte"),
            ("wirkungsanalyse", "wirkung"),
            ("zielueberpruefung", "zielueberpruefung"),
            ("bedarfsplanung", "bedarfsplanung"),
            ("prognose_guete", "prognose_guete"),
        ):
            if present.get(table):
                setattr(data, attr, _fetch(con, f"select * from {table}"))
        if present.get("zielerreichung"):
            data.ziele = _fetch(con, "select * from zielerreichung")
        return data
    finally:
        con.close()


def _read_dimensions(con: duckdb.DuckDBPyConnection, data: PublishData) -> None:
    if data.present.get("gebiete"):
        data.areas = select_areas(_fetch(con, "select * from gebiete"), data.periode)
    if data.present.get("indikatorkatalog"):
        # The catalogue's own order (column reihenfolge, where present) orders the report.
        order = (
            " order by reihenfolge, indikator_id"
            if "reihenfolge" in _columns(con, "indikatorkatalog")
            else ""
        )
        for row in _fetch(con, f"select * from indikatorkatalog{order}"):
            data.catalogue[str(row["indikator_id"])] = row


def _read_indicators(con: duckdb.DuckDBPyConnection, data: PublishData) -> None:
    if not data.present.get("indikatoren"):
        data.levels = order_levels(data.areas, [])
        return
    cols = _select_list(_columns(con, "indikatoren"), INDICATOR_COLUMNS)
    # Each indicator at its own latest period up to the reference date: monthly SGB II,
    # yearly SGB VIII and snapshot dates need not coincide.
    data.current = _fetch(
        con,
        f"""
        with src as (select {cols} from indikatoren),
        latest as (
            select indikator_id, max(periode) as periode from src
            where periode <= {sql_literal(data.periode)} group by indikator_id
        )
        select src.* from src join latest using (indikator_id, periode)
        order by indikator_id, ebene, gebiet_id
        """,
    )
    data.levels = order_levels(data.areas, data.current)
    # Charts show the city and the first level; the area profiles the trend of every area
    # above the finest level (the finest would be a page per block: tables cover it).
    series_levels = data.levels[: max(2, len(data.levels) - 1)]
    if series_levels:
        levels = ", ".join(sql_literal(lv) for lv in series_levels)
        data.series = _fetch(
            con,
            f"""
            select indikator_id, gebiet_id, ebene, periode, wert, symbol, untergrenze, obergrenze
            from (select {cols} from indikatoren)
            where periode <= {sql_literal(data.periode)} and ebene in ({levels})
            order by indikator_id, gebiet_id, periode
            """,
        )
    # The year before each indicator's current period, every level: changes in the key
    # statements and the area profiles.
    data.previous = _fetch(
        con,
        f"""
        with src as (select {cols} from indikatoren),
        latest as (
            select indikator_id, max(periode) as periode from src
            where periode <= {sql_literal(data.periode)} group by indikator_id
        )
        select src.* from src join latest
            on src.indikator_id = latest.indikator_id
            and src.periode = cast(latest.periode - interval 1 year as date)
        order by src.indikator_id, src.ebene, src.gebiet_id
        """,
    )
    for row in data.current + data.series + data.previous:
        row["periode"] = _as_date(row["periode"])
    for ind, first, last, n in con.execute(
        "select indikator_id, min(periode), max(periode), count(distinct periode) "
        "from indikatoren group by indikator_id"
    ).fetchall():
        data.period_range[str(ind)] = (_as_date(first), _as_date(last), int(n))


def _read_sozialindex(con: duckdb.DuckDBPyConnection, data: PublishData) -> None:
    if not data.present.get("sozialindex"):
        return
    found = con.execute(
        f"select max(periode) from sozialindex where periode <= {sql_literal(data.periode)}"
    ).fetchone()[0]
    if found is None:
        return
    data.sozialindex_periode = _as_date(found)
    data.sozialindex = _fetch(
        con,
        "select * from sozialindex "
        f"where periode = {sql_literal(_as_date(found))} order by gebiet_id",
    )
    # Class changes are read against the same date a year before (a monthly index moves little
    # from one month to the next), else against the index before.
    found_lit = sql_literal(_as_date(found))
    before = con.execute(
        "select coalesce("
        f"(select max(periode) from sozialindex where periode <= {found_lit} - interval 1 year), "
        f"(select max(periode) from sozialindex where periode < {found_lit}))"
    ).fetchone()[0]
    if before is not None:
        data.sozialindex_before_periode = _as_date(before)
        data.sozialindex_before = _fetch(
            con,
            "select * from sozialindex "
            f"where periode = {sql_literal(_as_date(before))} order by gebiet_id",
        )
