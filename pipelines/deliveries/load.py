"""Loading one delivery file: read, check, reduce, quarantine, replace its period, log it."""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path

import polars as pl

from pipelines.deliveries.admission import RefusedFile
from pipelines.deliveries.base import DeliveryFile, DeliveryKind, LoadContext
from pipelines.deliveries.cells import concat_quarantine
from pipelines.deliveries.periods import reference_date
from pipelines.deliveries.registry import ALL_KINDS
from pipelines.deliveries.volume import VolumeRule, judge
from pipelines.parsing.table import LINE_COL, FileRejected, ParsedTable
from pipelines.protection.addresses import prepare_directory
from pipelines.protection.plausibility import check_content
from pipelines.warehouse import store
from pipelines.warehouse.raw_tables import PERIOD_COLUMN


@dataclass
class LoadResult:
    kind: str
    relpath: str
    period_key: str | None
    status: str  # geladen | ersetzt | unveraendert | abgewiesen
    sha256: str = ""
    load_id: str = ""
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_rejected: int = 0
    reason: str | None = None
    message: str | None = None
    warnings: list[str] = field(default_factory=list)
    quarantine_reasons: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        """One German sentence for logs and the terminal: file, outcome, reason."""
        if self.status == "abgewiesen":
            return f"{self.relpath}: abgewiesen ({self.reason}): {self.message}"
        if self.status == "unveraendert":
            return f"{self.relpath}: unverändert (bereits geladen)"
        text = f"{self.relpath}: {self.status}, {self.rows_loaded} von {self.rows_read} Zeilen"
        if self.rows_quarantined:
            reasons = ", ".join(f"{k} {v}" for k, v in self.quarantine_reasons.items())
            text += f", {self.rows_quarantined} in Quarantäne ({reasons})"
        return text


class DeliveryFailed(RuntimeError):
    """An unexpected error while loading one file; says which file, never which values."""


@cache
def code_version() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
        )
        if out.returncode == 0:
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    from importlib.metadata import version

    return "v" + version("sozialmonitor")


def make_load_id(kind: str, period_key: str | None, sha256: str) -> str:
    return hashlib.sha256(f"{kind}|{period_key}|{sha256}".encode()).hexdigest()[:16]


def build_context(con, pseudonym_key: bytes | None) -> LoadContext:
    areas = con.execute(
        """select gebiet_id, ebene_rang, gueltig_ab, gueltig_bis from raw.gebiete
           where ebene_rang = (select max(ebene_rang) from raw.gebiete)"""
    ).pl()
    adressen = con.execute(
        "select strasse, hausnummer, zusatz, gebiet_id, gueltig_ab, gueltig_bis from raw.adressen"
    ).pl()
    hierarchy = con.execute(
        "select gebiet_id, parent_id, ebene_rang, gueltig_ab, gueltig_bis from raw.gebiete"
    ).pl()
    massnahmen = con.execute("select massnahme_id, beginn, ende from raw.massnahmen").pl()
    return LoadContext(
        areas=areas,
        hierarchy=hierarchy,
        directory=prepare_directory(adressen),
        massnahmen=massnahmen,
        pseudonym_key=pseudonym_key,
    )


def _count_lines(path: Path) -> int:
    try:
        with path.open("rb") as fh:
            return sum(1 for line in fh if line.strip())
    except OSError:
        return 0


def record_refusal(refused: RefusedFile, session: store.Session, run_id: str | None) -> LoadResult:
    """A file refused before reading (name, symlink, duplicate period): log it once."""
    # links and special files are never opened: they may point anywhere or never end
    readable = refused.reason != "datei_unzulaessig"
    try:
        sha = (
            DeliveryFile(refused.kind, refused.path, refused.relpath, None).sha256()  # type: ignore[arg-type]
            if readable
            else "-"
        )
    except OSError:
        sha = "-"
    n = _count_data_rows(refused.path) if readable else 0
    result = LoadResult(
        refused.kind, refused.relpath, refused.period_key, "abgewiesen", sha,
        make_load_id(refused.kind, refused.period_key, sha), n, 0, 0, n,
        refused.reason, refused.message,
    )  # fmt: skip
    _log_rejection(result, session, run_id, "-", refused.path)
    return result


def _log_rejection(result: LoadResult, session, run_id, contract_version, path: Path) -> None:
    con = session.warehouse
    meldung = f"{result.reason}: {result.message}"
    if _same_as_last(con, result):
        return  # these bytes were refused for this very reason last time: nothing new
    ts = store.now()
    store.insert_audit(
        con,
        {
            "load_id": result.load_id, "run_id": run_id, "quelle": result.kind,
            "datei": result.relpath, "sha256": result.sha256,
            "groesse_bytes": _size(path), "periode": result.period_key,
            "zeilen_gelesen": result.rows_read, "zeilen_geladen": 0,
            "zeilen_quarantaene": 0, "zeilen_abgewiesen": result.rows_rejected,
            "vertrag_version": contract_version, "code_version": code_version(),
            "gestartet_am": ts, "beendet_am": ts, "status": "abgewiesen",
            "meldung": meldung, "bezugsdatum": reference_date(result.period_key),
        },
    )  # fmt: skip


def _same_as_last(con, result: LoadResult) -> bool:
    """The file's newest audit row is this refusal of these bytes (a rerun adds no row)."""
    row = con.execute(
        """select status, sha256, meldung from audit.loads where quelle = ? and datei = ?
           order by beendet_am desc, load_id desc limit 1""",
        [result.kind, result.relpath],
    ).fetchone()
    return (
        row is not None
        and row[:2] == ("abgewiesen", result.sha256)
        and (row[2] or "").split(":")[0] == result.reason
    )


def _size(path: Path) -> int | None:
    try:
        return path.lstat().st_size
    except OSError:
        return None


@dataclass
class Prepared:
    """One file read and checked, not yet written: what `commit` needs to write it."""

    file: DeliveryFile
    kind: DeliveryKind
    result: LoadResult
    replaces: bool  # a load of this period is in the warehouse already
    started: datetime | None = None
    rows: pl.DataFrame | None = None  # None: nothing to write (unchanged or rejected)
    quarantine: pl.DataFrame | None = None


def prepare_file(
    file: DeliveryFile,
    ctx: LoadContext,
    current: tuple | None,
    run_id: str | None = None,
    kind: DeliveryKind | None = None,
) -> Prepared:
    """Read, type, check and reduce one file; touches no database (safe in a worker thread).

    `current` is `store.current_load` of the file's period: (sha256, status) or None.
    """
    kind = kind or ALL_KINDS[file.kind]
    sha = file.sha256()
    load_id = make_load_id(file.kind, file.period.key, sha)
    result = LoadResult(file.kind, file.relpath, file.period.key, "geladen", sha, load_id)
    prepared = Prepared(file, kind, result, current is not None, store.now())
    if current and current[0] == sha:
        result.status = "unveraendert"
        return prepared
    try:
        parsed = kind.read(file.path)
        if type(parsed) is ParsedTable:  # profiled tables are built, not read by header
            check_content(kind, parsed.frame, file.period.last_day, ctx.directory)
        transformed = kind.transform(file, parsed, ctx)
    except FileRejected as exc:
        result.status = "abgewiesen"
        result.reason, result.message = exc.reason, exc.message
        result.rows_read = result.rows_rejected = _count_data_rows(file.path)
        return prepared
    except Exception as exc:
        # a bug, not a bad delivery: fail loudly, but the message of a polars/duckdb error
        # may quote cell values, which in a person-level file are names or birth dates
        detail = "" if kind.person_level else f": {str(exc).splitlines()[0][:300]}"
        raise DeliveryFailed(
            f"{file.relpath}: unerwarteter Fehler beim Verarbeiten ({type(exc).__name__}){detail}"
        ) from (None if kind.person_level else exc)

    quarantine = concat_quarantine([_malformed_frame(parsed), transformed.quarantine])
    rows = transformed.rows.with_columns(pl.lit(load_id).alias("load_id"))
    n_quarantined = quarantine.get_column(LINE_COL).n_unique() if quarantine.height else 0
    result.rows_read = transformed.rows_read
    result.rows_loaded = rows.height
    result.rows_quarantined = n_quarantined
    result.warnings = list(transformed.warnings)
    blank = getattr(parsed, "blank_rows", 0)
    if blank:
        result.warnings.append(f"{blank} leere Zeilen (nur Trennzeichen) übersprungen")
    if parsed.extra_columns:
        result.warnings.append("unbekannte Spalten ignoriert: " + ", ".join(parsed.extra_columns))
    if result.rows_read != result.rows_loaded + result.rows_quarantined:
        raise AssertionError(
            f"{file.relpath}: Zeilenbilanz verletzt: gelesen {result.rows_read}, geladen "
            f"{result.rows_loaded}, Quarantäne {result.rows_quarantined}"
        )
    if quarantine.height:
        result.quarantine_reasons = dict(
            quarantine.group_by("grund").len().sort("grund").iter_rows()
        )
    prepared.rows, prepared.quarantine = rows, quarantine
    return prepared


def commit(
    prepared: Prepared,
    session: store.Session,
    run_id: str | None = None,
    volume: VolumeRule | None = None,
) -> LoadResult:
    """Write a prepared file: quarantine rows, then its period and audit row in one transaction.

    The volume check runs here, in file order, so the previous period is the one just
    committed when a run loads several months.
    """
    file, kind, result = prepared.file, prepared.kind, prepared.result
    if result.status != "abgewiesen" and prepared.rows is not None:
        held = judge(
            volume, session.warehouse, file.kind, kind.table, PERIOD_COLUMN.get(kind.table),
            file.period.value, file.relpath, result.sha256, prepared.rows,
        )  # fmt: skip
        if held:
            result.status, result.reason, result.message = "abgewiesen", "menge_unplausibel", held
            result.rows_rejected = result.rows_read
            result.rows_loaded = result.rows_quarantined = 0
            result.quarantine_reasons = {}
    if result.status == "abgewiesen":
        _log_rejection(result, session, run_id, kind.contract_version(), file.path)
        return result
    if prepared.rows is None:  # unchanged
        return result
    ts = store.now()
    qrows = prepared.quarantine.rename({LINE_COL: "zeile"}).with_columns(
        pl.lit(result.load_id).alias("load_id"),
        pl.lit(run_id, pl.String).alias("run_id"),
        pl.lit(file.kind).alias("quelle"),
        pl.lit(file.relpath).alias("datei"),
        pl.lit(result.sha256).alias("sha256"),
        pl.lit(ts).alias("erfasst_am"),
    )
    store.write_quarantine(session.quarantine, result.load_id, qrows)
    if prepared.replaces:
        result.status = "ersetzt"
    audit = {
        "load_id": result.load_id, "run_id": run_id, "quelle": file.kind,
        "datei": file.relpath, "sha256": result.sha256,
        "groesse_bytes": file.path.stat().st_size, "periode": file.period.key,
        "zeilen_gelesen": result.rows_read, "zeilen_geladen": result.rows_loaded,
        "zeilen_quarantaene": result.rows_quarantined, "zeilen_abgewiesen": 0,
        "vertrag_version": kind.contract_version(), "code_version": code_version(),
        "gestartet_am": prepared.started, "beendet_am": ts, "status": result.status,
        "meldung": None, "bezugsdatum": file.period.last_day,
    }  # fmt: skip
    store.replace_period(session.warehouse, kind.table, file.period.value, prepared.rows, audit)
    return result


def load_file(
    file: DeliveryFile,
    ctx: LoadContext,
    session: store.Session,
    run_id: str | None = None,
    kind: DeliveryKind | None = None,
    volume: VolumeRule | None = None,
) -> LoadResult:
    """Prepare and commit one file in this thread."""
    current = store.current_load(session.warehouse, file.kind, file.period.key)
    return commit(prepare_file(file, ctx, current, run_id, kind), session, run_id, volume)


def _malformed_frame(parsed) -> pl.DataFrame:
    """Lines with the wrong number of fields, as quarantine rows."""
    return pl.DataFrame(
        {
            LINE_COL: [ln for ln, _ in parsed.malformed_lines],
            "spalte": [None] * len(parsed.malformed_lines),
            "grund": ["feldanzahl_falsch"] * len(parsed.malformed_lines),
            "werte": [f'"{msg}"' for _, msg in parsed.malformed_lines],
        },
        schema={LINE_COL: pl.Int64, "spalte": pl.String, "grund": pl.String, "werte": pl.String},
    )


def _count_data_rows(path: Path) -> int:
    """Rows of a refused file, for the audit: non-blank lines minus a header line."""
    if path.suffix.lower() in (".xlsx", ".geojson", ".json"):
        return 0
    return max(_count_lines(path) - 1, 0)
