"""DDL of the raw zone: what ingestion writes and dbt reads.

The raw table of a delivery kind is declared in its contract (`rohtabelle` in
data_contracts/<kind>.yaml); this module turns those declarations into DDL and adds the
audit log and the quarantine table.

Every raw table carries `load_id` (see `audit.loads`). Person-level sources hold
pseudonyms, ages and finest areas only: names, birth dates, case numbers and
street addresses never get here (docs/protection.md).
"""

from pipelines.contracts.loader import all_contracts


def _raw_tables() -> dict[str, str]:
    """raw.<kind> of every delivery kind: the columns of the contract's `rohtabelle`."""
    out = {}
    for kind, contract in all_contracts().items():
        cols = [c.ddl() for c in contract.raw_columns]
        out[kind] = "\n    " + ", ".join([*cols, "load_id varchar not null"])
    return out


RAW_TABLES: dict[str, str] = _raw_tables()

# column holding the period a delivery replaces (None: reference data, replaced whole)
PERIOD_COLUMN: dict[str, str | None] = {
    kind: contract.period_column for kind, contract in all_contracts().items()
}

AUDIT_DDL = """
create schema if not exists audit;
create table if not exists audit.loads (
    load_id varchar not null,          -- sha256(source | file name | file sha256)[:16]
    run_id varchar,                    -- Dagster run id
    quelle varchar not null,           -- delivery kind, e.g. sgb2
    datei varchar not null,            -- path relative to the landing folder
    sha256 varchar not null,
    groesse_bytes bigint,
    periode varchar,                   -- delivery period as in the file name
    zeilen_gelesen bigint,
    zeilen_geladen bigint,
    zeilen_quarantaene bigint,
    zeilen_abgewiesen bigint,          -- rows of a rejected file: read = geladen + quarantaene + abgewiesen
    vertrag_version varchar,           -- data contract version
    code_version varchar,              -- git commit of sozialmonitor
    gestartet_am timestamp,
    beendet_am timestamp,
    status varchar not null,           -- geladen | unveraendert | abgewiesen | ersetzt
    meldung varchar,                   -- German message for rejections
    bezugsdatum date                   -- the date the period stands for: Stichtag, last day of month or year
);
-- a warehouse from before bezugsdatum: add it, and fill it from the period as named
alter table audit.loads add column if not exists bezugsdatum date;
update audit.loads set bezugsdatum = case
        when regexp_full_match(periode, '\\d{4}-\\d{2}-\\d{2}') then try_cast(periode as date)
        when regexp_full_match(periode, '\\d{4}-\\d{2}') then last_day(try_cast(periode || '-01' as date))
        when regexp_full_match(periode, '\\d{4}') then make_date(try_cast(periode as integer), 12, 31)
    end
    where bezugsdatum is null and periode is not null and periode <> 'stand';
-- every file of the landing folder and what one `run` made of it (one inventory per run)
create table if not exists audit.eingang (
    lauf_id varchar not null,          -- one `sozialmonitor run`
    datei varchar not null,            -- path relative to the landing folder
    quelle varchar,                    -- delivery kind; empty for files that are no delivery
    periode varchar,
    status varchar not null,           -- geladen | ersetzt | unveraendert | abgewiesen | keine_lieferung | nicht_verarbeitet
    grund varchar,                     -- refusal code, or the rule a non-delivery missed
    meldung varchar,                   -- German message
    aehnelt varchar,                   -- near misses: the delivery the file resembles
    sha256 varchar,                    -- deliveries only (other files are not read)
    groesse_bytes bigint,
    erfasst_am timestamp
);
"""

QUARANTINE_DDL = """
create table if not exists quarantaene (
    load_id varchar not null,
    run_id varchar,
    quelle varchar not null,
    datei varchar not null,
    sha256 varchar not null,
    zeile bigint,                      -- 1-based line number in the delivered file
    spalte varchar,
    grund varchar not null,            -- reason code, see docs/architecture.md
    werte varchar,                     -- JSON of the offending values, never names/birth dates/case numbers
    erfasst_am timestamp
);
"""


def create_raw_schema_sql() -> str:
    parts = ["create schema if not exists raw;"]
    for name, cols in RAW_TABLES.items():
        parts.append(f"create table if not exists raw.{name} ({cols}\n);")
    # a warehouse from before an optional column (bewegungen: alter, geschlecht) gets it empty
    for kind, contract in all_contracts().items():
        for c in contract.raw_columns:
            if "not null" not in c.sql_type:
                parts.append(f"alter table raw.{kind} add column if not exists {c.ddl()};")
    return "\n".join(parts) + AUDIT_DDL
