"""DDL of the raw zone: the one place that fixes what ingestion writes and dbt reads.

Every raw table carries `load_id` (see `audit.loads`). Person-level sources hold
pseudonyms, ages and finest areas only: names, birth dates, case numbers and
street addresses never get here (docs/protection.md).
"""

SGB2_MEASURES = (
    "bg",
    "rlb",
    "elb",
    "nef",
    "nef_u15",
    "alo_sgb2",
    "lzb",
    "bg_alleinerziehend",
)

_SGB2_COLS = ",\n    ".join(f"{m} integer, {m}_symbol varchar" for m in SGB2_MEASURES)

RAW_TABLES: dict[str, str] = {
    # reference data: replaced as a whole on every delivery
    "gebiete": """
    gebiet_id varchar not null, name varchar, ebene varchar not null,
    ebene_rang integer not null, parent_id varchar, gueltig_ab date, gueltig_bis date,
    load_id varchar not null""",
    "gebiete_umschluessel": """
    alt_gebiet_id varchar not null, neu_gebiet_id varchar not null, wechsel_am date not null,
    anteil double not null, load_id varchar not null""",
    "gebiete_geometrie": """
    gebiet_id varchar not null, geometrie_json varchar not null, load_id varchar not null""",
    "adressen": """
    strasse varchar not null, hausnummer varchar not null, zusatz varchar, gebiet_id varchar not null,
    gueltig_ab date, gueltig_bis date, load_id varchar not null""",
    "produkte": """
    produkt varchar not null, bereich varchar not null, load_id varchar not null""",
    "ziele": """
    indikator_id varchar not null, gebiet_id varchar, jahr integer not null, zielwert double not null,
    richtung varchar not null, beschluss varchar, load_id varchar not null""",
    # period deliveries: one period replaced per load
    "einwohner": """
    stichtag date not null, gebiet_id varchar not null, alter integer not null,
    geschlecht varchar not null, staatsangehoerigkeit varchar not null, anzahl integer not null,
    load_id varchar not null""",
    "bewegungen": """
    jahr integer not null, gebiet_id varchar not null, art varchar not null, anzahl integer not null,
    load_id varchar not null""",
    "sgb2": f"""
    berichtsmonat date not null, gebiet_id varchar not null,
    {_SGB2_COLS},
    load_id varchar not null""",
    "sgb12": """
    stichtag date not null, fall_pseudonym varchar not null, person_pseudonym varchar not null,
    alter integer not null, geschlecht varchar, staatsangehoerigkeit varchar, gebiet_id varchar not null,
    leistungsart varchar not null, einrichtung varchar not null, bruttobedarf_monat decimal(12,2),
    load_id varchar not null""",
    "sgb8": """
    jahr integer not null, fall_pseudonym varchar not null, person_pseudonym varchar not null,
    geschlecht varchar, gebiet_id varchar not null, hilfeart varchar not null,
    beginn date not null, ende date, alter_beginn integer not null, alter_jahresende integer not null,
    kosten_jahr decimal(14,2), load_id varchar not null""",
    "finanzen": """
    haushaltsjahr integer not null, produkt varchar not null, produkt_bezeichnung varchar,
    konto varchar not null, konto_bezeichnung varchar, ansatz decimal(16,2),
    ansatz_fortgeschrieben decimal(16,2), ist decimal(16,2), load_id varchar not null""",
}

# column holding the period a delivery replaces (None: reference data, replaced whole)
PERIOD_COLUMN: dict[str, str | None] = {
    "gebiete": None,
    "gebiete_umschluessel": None,
    "gebiete_geometrie": None,
    "adressen": None,
    "produkte": None,
    "ziele": None,
    "einwohner": "stichtag",
    "bewegungen": "jahr",
    "sgb2": "berichtsmonat",
    "sgb12": "stichtag",
    "sgb8": "jahr",
    "finanzen": "haushaltsjahr",
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
    meldung varchar                    -- German message for rejections
);
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
    return "\n".join(parts) + AUDIT_DDL
