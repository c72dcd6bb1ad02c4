"""Volume plausibility: a delivery far off its history is held until someone confirms it.

A file cut exactly at a line end, a partial export or a wrong filter passes every row
check; only its size betrays it. Rows and a total (persons, benefit recipients) are
compared with the nearest loaded period (the previous one, for a backfill the next one).
A held file is refused (`menge_unplausibel`) and loads once it is confirmed, by
`run --bestaetigen DATEI` or by a line in `bestaetigungen.txt` in the landing folder.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.deliveries.registry import PERIOD_KINDS
from pipelines.operator import OperatorError
from pipelines.parsing import limits
from pipelines.parsing.errors import FileRejected
from pipelines.parsing.german import thousands

CONFIRM_FILE = "bestaetigungen.txt"


@dataclass(frozen=True)
class VolumeRule:
    max_change: float | None  # relative, e.g. 0.30; None: no check
    min_rows: int  # histories smaller than this are not compared (a handful of rows jumps)
    confirmed: frozenset[tuple[str, str | None]] = field(default_factory=frozenset)

    def is_confirmed(self, relpath: str, sha256: str) -> bool:
        return any(
            rel == relpath and (sha is None or sha256.startswith(sha))
            for rel, sha in self.confirmed
        )


def rule_from(config: dict, landing: Path | None, confirmations: Iterable[str] = ()) -> VolumeRule:
    """The volume rule of the city config; `confirmations` (from `run --bestaetigen`, given
    to the assets by the Sozialmonitor resource) and bestaetigungen.txt hold it back."""
    own = (config or {}).get("plausibilitaet") or {}
    pct = own.get("mengen_abweichung_prozent", 30)
    entries = list(confirmations)
    if landing is not None and (landing / CONFIRM_FILE).is_file():
        entries += _confirmations(landing / CONFIRM_FILE)
    confirmed = set()
    for line in entries:
        parts = line.split("#", 1)[0].split()
        if parts:
            confirmed.add((parts[0], parts[1].lower() if len(parts) > 1 else None))
    return VolumeRule(
        None if pct is None else float(pct) / 100.0,
        int(own.get("mengen_mindestzeilen", 100)),
        frozenset(confirmed),
    )


_FINEST = (
    "select gebiet_id from raw.gebiete where ebene_rang = (select max(ebene_rang) from raw.gebiete)"
)


def _total(kind: str) -> str | None:
    """The sum compared besides the row count (the kind's `volume_total`; None: rows only)."""
    found = PERIOD_KINDS.get(kind)
    return found.volume_total if found is not None else None


def _grain(kind: str) -> tuple[str, ...] | None:
    """Columns whose distinct combinations are compared instead of rows (None: rows)."""
    found = PERIOD_KINDS.get(kind)
    return found.volume_grain if found is not None else None


def _finest_only(kind: str) -> bool:
    """Files of the kind may carry rows of coarser areas (BA total rows): rows and totals
    are compared over the finest areas only."""
    found = PERIOD_KINDS.get(kind)
    return bool(found is not None and found.coarser_rows)


def measure(
    kind: str, rows: pl.DataFrame, finest: list[str] | None = None
) -> tuple[int, float | None]:
    if finest is not None and "gebiet_id" in rows.columns:
        rows = rows.filter(pl.col("gebiet_id").is_in(finest))
    col = _total(kind)
    total = None
    if col is not None and col in rows.columns:
        total = float(rows.get_column(col).fill_null(0).sum())
    grain = _grain(kind)
    if grain and rows.height and all(c in rows.columns for c in grain):
        return rows.select(grain).n_unique(), total
    return rows.height, total


def history(con, kind: str, table: str, period_col: str, period_value) -> tuple | None:
    """(period, rows, total) of the nearest other loaded period: earlier first, else later."""
    col = _total(kind)
    total = f"sum(coalesce({col}, 0))::double" if col else "null"
    grain = _grain(kind)
    count = f"count(distinct ({', '.join(grain)}))" if grain else "count(*)"
    only = f"and gebiet_id in ({_FINEST})" if _finest_only(kind) else ""
    for pick, cmp in (("max", "<"), ("min", ">")):
        row = con.execute(
            f"""select {period_col}, {count}, {total} from raw.{table}
                where {period_col} = (select {pick}({period_col}) from raw.{table}
                                      where {period_col} {cmp} ?)
                {only}
                group by 1""",
            [period_value],
        ).fetchone()
        if row is not None:
            return row
    return None


def judge(
    rule: VolumeRule | None, con, kind: str, table: str, period_col: str, period_value,
    relpath: str, sha256: str, rows: pl.DataFrame,
) -> str | None:  # fmt: skip
    """German reason to hold the file, or None if its volume fits its history."""
    if rule is None or rule.max_change is None or kind not in PERIOD_KINDS or period_col is None:
        return None
    past = history(con, kind, table, period_col, period_value)
    if past is None or past[1] < rule.min_rows:
        return None
    finest = [g for (g,) in con.execute(_FINEST).fetchall()] if _finest_only(kind) else None
    n, total = measure(kind, rows, finest)
    problems = []
    grain = _grain(kind)
    rows_label = f"Kombinationen {'/'.join(grain)}" if grain else "Zeilen"
    for label, new, old in ((rows_label, n, past[1]), (f"Summe {_total(kind)}", total, past[2])):
        if new is None or old is None or old == 0:
            continue
        change = (new - old) / old
        if abs(change) > rule.max_change:
            problems.append(f"{label} {thousands(new)} statt {thousands(old)} ({change:+.0%})")
    if not problems or rule.is_confirmed(relpath, sha256):
        return None
    when = past[0].strftime("%d.%m.%Y") if hasattr(past[0], "strftime") else str(past[0])
    return (
        f"Umfang weicht um mehr als {rule.max_change:.0%} vom Zeitraum {when} ab: "
        + "; ".join(problems)
        + f". Abgeschnitten oder unvollständig? Wenn die Lieferung stimmt: bestätigen mit "
        f"`sozialmonitor run ... --bestaetigen {relpath}` oder der Zeile "
        f"`{relpath} {sha256[:12]}` in {CONFIRM_FILE} im Eingangsordner"
    )


def _confirmations(path: Path) -> list[str]:
    """The lines of the confirmation file; an oversized or unreadable one stops the run."""
    try:
        data = limits.read_bytes(path, limits.MAX_SMALL_FILE_BYTES)
        return data.decode("utf-8-sig").splitlines()
    except FileRejected as exc:
        raise OperatorError(f"{CONFIRM_FILE} im Eingangsordner: {exc.message}") from None
    except UnicodeDecodeError:
        raise OperatorError(
            f"{CONFIRM_FILE} im Eingangsordner ist kein UTF-8-Text: als UTF-8 speichern"
        ) from None
