"""Read data_contracts/<kind>.yaml (ODCS v3.2.0) into the typed model, strictly.

`datacontract lint` checks the ODCS grammar; this module checks what only sozialmonitor
knows (reason codes, period rule, personal data handling, rule parameters) and fails with
a German message that names the contract and the spot.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from pipelines.contracts.model import (
    CADENCES,
    CLASSIFICATIONS,
    LOGICAL_TO_PHYSICAL,
    ORIGINS,
    PERIOD_KINDS,
    PERIOD_PATTERNS,
    PERSONAL_HANDLING,
    RAW_TYPE,
    REASON_PRIORITY,
    SCHEDULES,
    SCHEDULES_BY_CADENCE,
    ContractColumn,
    ContractRule,
    DeliveryContract,
    RawColumn,
    normalise_header,
    polars_dtype,
)

CONTRACTS_DIR = Path(__file__).resolve().parents[2] / "data_contracts"
API_VERSIONS = ("v3.2.0", "v3.1.0", "v3.0.2")
RULE_ENGINE = "sozialmonitor"

_SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$")

# rule -> parameter -> what it must be; `spalte` is the column a failure is reported on
RULE_PARAMS: dict[str, dict[str, str]] = {
    "summe": {"spalte": "column", "summanden": "columns"},
    "teilmenge": {"spalte": "column", "obermenge": "column"},
    "reihenfolge": {"spalte": "column", "vorher": "column"},
    "nicht_nach_jahresende": {"spalte": "column", "jahr": "column"},
    "eindeutig": {"spalten": "columns"},
    "verweis": {"spalte": "column", "ziel": "column"},
    "azyklisch": {"spalte": "column", "schluessel": "column"},
    "anteile_summe": {
        "spalte": "column",
        "gruppe": "columns",
        "summe": "number",
        "toleranz": "number",
    },
    "alter": {"spalte": "column", "bezug": "column", "minimum": "number", "maximum": "number"},
}
_OPTIONAL_RULE_PARAMS: dict[str, set[str]] = {"alter": {"ausnahmen"}}

_COLUMN_CUSTOM_PROPERTIES = {
    "aliases",
    "grund_wertebereich",
    "ba_symbole",
    "personenbezug",
    "herkunft",
    "spalte_pflicht",
}


class ContractError(ValueError):
    """A contract file that does not say what sozialmonitor needs, or says it wrongly."""


def read_contracts(directory: Path) -> dict[str, DeliveryContract]:
    """Every contract of a folder (uncached), in load order: reference data first (the
    other deliveries are checked against it), then the period deliveries, each group by
    `ladefolge`. The folder is the registry of delivery kinds: one YAML, one kind."""
    contracts = [read_contract(p) for p in sorted(Path(directory).glob("*.yaml"))]
    contracts.sort(key=lambda c: (not c.is_reference, c.load_order, c.kind))
    return {c.kind: c for c in contracts}


@cache
def all_contracts() -> dict[str, DeliveryContract]:
    """The contracts of data_contracts/, read once per process, in load order."""
    return read_contracts(CONTRACTS_DIR)


def load_contract(kind: str) -> DeliveryContract:
    """The contract of one delivery kind, read once per process."""
    contracts = all_contracts()
    if kind not in contracts:
        raise ContractError(f"Unbekannte Lieferart {kind!r}; bekannt sind: {', '.join(contracts)}")
    return contracts[kind]


def contract_kinds() -> tuple[str, ...]:
    return tuple(all_contracts())


def read_contract(path: Path) -> DeliveryContract:
    """Parse and validate one contract file (uncached)."""
    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ContractError(f"Vertrag {path} ist nicht lesbar: {exc}") from exc
    return parse_contract(doc, kind=Path(path).stem)


def parse_contract(doc: Any, kind: str) -> DeliveryContract:
    where = f"Vertrag {kind!r}"
    _expect(isinstance(doc, dict), where, "ist keine YAML-Abbildung")
    _expect(doc.get("kind") == "DataContract", where, "kind muss DataContract sein")
    _expect(
        doc.get("apiVersion") in API_VERSIONS,
        where,
        f"apiVersion muss eine von {API_VERSIONS} sein",
    )
    version = _text(doc, "version", where)
    _expect(bool(_SEMVER.match(version)), where, f"version {version!r} ist keine SemVer-Version")
    schemas = doc.get("schema")
    _expect(
        isinstance(schemas, list) and len(schemas) == 1, where, "schema braucht genau ein Objekt"
    )
    obj = schemas[0]
    _expect(obj.get("name") == kind, where, f"schema.name muss {kind!r} sein (wie der Dateiname)")

    custom = _custom_properties(doc.get("customProperties"), where)
    columns = tuple(_parse_column(p, f"{where}, Spalte") for p in obj.get("properties") or [])
    _expect(bool(columns), where, "schema.properties ist leer")
    names = [c.name for c in columns]
    _expect(len(set(names)) == len(names), where, "Spaltennamen sind nicht eindeutig")
    _check_aliases(columns, where)

    period_kind, period_column = _parse_period(custom.get("periode_aus_dateiname"), names, where)
    ba_symbols = _parse_ba_symbols(custom.get("ba_symboltabelle"), columns, where)
    rules = tuple(_parse_rule(q, names, f"{where}, Regel") for q in obj.get("quality") or [])
    optional = {c.name for c in columns if c.origin == "spalte" and not c.required}
    for rule in rules:
        used = optional & set(_rule_columns(rule))
        _expect(not used, where, f"Regel {rule.name!r} nutzt optionale Spalten {sorted(used)}")
    rule_names = [r.name for r in rules]
    _expect(len(set(rule_names)) == len(rule_names), where, "Regelnamen sind nicht eindeutig")

    team = doc.get("team")
    _expect(isinstance(team, dict) and bool(team.get("name")), where, "team.name fehlt")
    description = doc.get("description") or {}
    _expect(bool(description.get("purpose")), where, "description.purpose fehlt")
    pattern = _text(custom, "dateimuster", where)
    _compile(pattern, where)
    stem, suffixes = _parse_file_pattern(pattern, period_kind, where)
    cadence = _parse_cadence(doc.get("slaProperties"), where)
    return DeliveryContract(
        kind=kind,
        contract_id=_text(doc, "id", where),
        version=version,
        status=_text(doc, "status", where),
        title=_text(doc, "name", where),
        owner=team["name"],
        cadence=cadence,
        purpose=" ".join(str(description["purpose"]).split()),
        landing_folder=_text(custom, "landing_ordner", where),
        file_pattern=pattern,
        period_kind=period_kind,
        period_column=period_column,
        columns=columns,
        rules=rules,
        ba_symbols=ba_symbols,
        file_stem=stem,
        suffixes=suffixes,
        load_order=_parse_load_order(custom.get("ladefolge", 100), where),
        raw_columns=_parse_raw_table(custom.get("rohtabelle"), period_column, where),
        schedules=_parse_schedules(custom.get("zeitplaene"), cadence, period_kind, where),
        staging=_parse_flag(custom.get("staging_modell", True), "staging_modell", where),
    )


_FILE_PATTERN = re.compile(
    r"^\^(?P<stem>[a-z][a-z0-9_]*)(?:_\((?P<period>[^()]+)\))?"
    r"\\\.(?:\((?P<exts>[a-z0-9]+(?:\|[a-z0-9]+)+)\)|(?P<ext>[a-z0-9]+))\$$"
)


def _parse_file_pattern(
    pattern: str, period_kind: str | None, where: str
) -> tuple[str, tuple[str, ...]]:
    """`^sgb2_(\\d{4}-\\d{2})\\.(csv|xlsx)$` -> ('sgb2', ('.csv', '.xlsx')).

    Discovery matches a file by this stem and these suffixes; a file with the stem whose
    period does not parse is refused (`dateiname_ungueltig`), not ignored.
    """
    m = _FILE_PATTERN.match(pattern)
    _expect(
        m is not None,
        where,
        f"dateimuster {pattern!r} hat nicht die Form ^<name>_(<zeitraum>)\\.<endung>$ "
        "bzw. ^<name>\\.<endung>$ (Endungen als (csv|xlsx))",
    )
    period = m["period"]
    if period_kind is None:
        _expect(period is None, where, "dateimuster mit Zeitraum, aber ohne periode_aus_dateiname")
    else:
        expected = PERIOD_PATTERNS[period_kind]
        _expect(
            period == expected,
            where,
            f"dateimuster: Zeitraum {period!r} passt nicht zu art {period_kind!r} "
            f"(erwartet ({expected}))",
        )
    exts = (m["exts"] or m["ext"]).split("|")
    return m["stem"], tuple("." + e for e in exts)


def _parse_flag(value: Any, name: str, where: str) -> bool:
    _expect(isinstance(value, bool), where, f"{name} muss true oder false sein")
    return value


def _parse_load_order(value: Any, where: str) -> int:
    _expect(
        isinstance(value, int) and not isinstance(value, bool),
        where,
        "ladefolge muss eine ganze Zahl sein",
    )
    return value


def _parse_raw_table(spec: Any, period_column: str | None, where: str) -> tuple[RawColumn, ...]:
    _expect(
        isinstance(spec, dict) and bool(spec),
        where,
        "rohtabelle fehlt (Spalte: DuckDB-Typ je Spalte der Rohtabelle raw.<art>)",
    )
    columns = []
    for name, sql_type in spec.items():
        _expect(
            isinstance(name, str) and re.fullmatch(r"[a-z][a-z0-9_]*", name) is not None,
            where,
            f"rohtabelle: Spaltenname {name!r} ungültig (klein, ohne Leerzeichen)",
        )
        _expect(name != "load_id", where, "rohtabelle: load_id wird immer angehängt")
        _expect(
            isinstance(sql_type, str) and RAW_TYPE.match(sql_type) is not None,
            where,
            f"rohtabelle: Typ {sql_type!r} der Spalte {name!r} wird nicht unterstützt",
        )
        columns.append(RawColumn(name, sql_type))
    if period_column is not None:
        _expect(
            period_column in spec,
            where,
            f"rohtabelle: Zeitraumspalte {period_column!r} fehlt (sie wird je Lieferung ersetzt)",
        )
    return tuple(columns)


def _parse_schedules(
    spec: Any, cadence: str, period_kind: str | None, where: str
) -> tuple[str, ...]:
    if spec is None:
        return SCHEDULES_BY_CADENCE[cadence] if period_kind is not None else ()
    _expect(
        isinstance(spec, list) and all(s in SCHEDULES for s in spec),
        where,
        f"zeitplaene muss eine Liste aus {SCHEDULES} sein",
    )
    _expect(period_kind is not None, where, "zeitplaene nur für Lieferungen mit Zeitraum")
    return tuple(spec)


def _parse_column(prop: dict[str, Any], where: str) -> ContractColumn:
    name = _text(prop, "name", where)
    where = f"{where} {name!r}"
    logical = _text(prop, "logicalType", where)
    physical = _text(prop, "physicalType", where)
    _expect(
        logical in LOGICAL_TO_PHYSICAL, where, f"logicalType {logical!r} wird nicht unterstützt"
    )
    _expect(
        physical.split("(")[0] in LOGICAL_TO_PHYSICAL[logical],
        where,
        f"physicalType {physical!r} passt nicht zu logicalType {logical!r}",
    )
    try:
        polars_dtype(physical)
    except ValueError as exc:
        raise ContractError(f"{where}: {exc}") from exc
    _expect(isinstance(prop.get("required"), bool), where, "required muss true oder false sein")
    classification = _text(prop, "classification", where)
    _expect(
        classification in CLASSIFICATIONS,
        where,
        f"classification muss eine von {CLASSIFICATIONS} sein",
    )
    custom = _custom_properties(prop.get("customProperties"), where)
    unknown = set(custom) - _COLUMN_CUSTOM_PROPERTIES
    _expect(not unknown, where, f"unbekannte customProperties: {sorted(unknown)}")

    codes, labels = _parse_enum(prop.get("enum"), where)
    options = prop.get("logicalTypeOptions") or {}
    minimum, maximum = options.get("minimum"), options.get("maximum")
    for bound in (minimum, maximum):
        _expect(
            bound is None or isinstance(bound, int | float),
            where,
            "minimum/maximum müssen Zahlen sein",
        )
    bound_reason = custom.get("grund_wertebereich")
    if minimum is not None or maximum is not None:
        _expect(
            bound_reason in REASON_PRIORITY,
            where,
            "grund_wertebereich fehlt oder ist kein Grundcode",
        )
    else:
        _expect(bound_reason is None, where, "grund_wertebereich ohne minimum/maximum")
    pattern = options.get("pattern")
    if pattern is not None:
        _compile(pattern, where)

    aliases = custom.get("aliases", [])
    _expect(
        isinstance(aliases, list) and all(isinstance(a, str) and a.strip() for a in aliases),
        where,
        "aliases muss eine Liste von Texten sein",
    )
    ba_symbols = custom.get("ba_symbole", False)
    _expect(isinstance(ba_symbols, bool), where, "ba_symbole muss true oder false sein")
    _expect(
        not ba_symbols or logical == "integer", where, "ba_symbole nur für Zählspalten (integer)"
    )

    personal, handling = None, None
    if "personenbezug" in custom:
        spec = custom["personenbezug"]
        _expect(isinstance(spec, dict), where, "personenbezug braucht art und behandlung")
        personal, handling = spec.get("art"), spec.get("behandlung")
        _expect(
            personal in PERSONAL_HANDLING,
            where,
            f"personenbezug.art muss eine von {sorted(PERSONAL_HANDLING)} sein",
        )
        _expect(
            handling == PERSONAL_HANDLING[personal],
            where,
            f"personenbezug {personal!r} verlangt die Behandlung {PERSONAL_HANDLING[personal]!r}",
        )
        _expect(
            classification == "confidential", where, "personenbezogene Spalten sind confidential"
        )

    origin = custom.get("herkunft", "spalte")
    _expect(origin in ORIGINS, where, f"herkunft muss eine von {ORIGINS} sein")
    in_header = custom.get("spalte_pflicht", origin == "spalte")
    _expect(isinstance(in_header, bool), where, "spalte_pflicht muss true oder false sein")
    _expect(
        not (in_header and origin != "spalte"), where, "nur Kopfzeilenspalten können Pflicht sein"
    )
    return ContractColumn(
        name=name,
        logical_type=logical,
        physical_type=physical,
        required=in_header,
        nullable=not prop["required"],
        description=" ".join(_text(prop, "description", where).split()),
        classification=classification,
        aliases=tuple(aliases),
        codes=codes,
        code_labels=labels,
        minimum=minimum,
        maximum=maximum,
        bound_reason=bound_reason,
        pattern=pattern,
        ba_symbols=ba_symbols,
        personal=personal,
        personal_handling=handling,
        origin=origin,
    )


def _parse_enum(entries: Any, where: str) -> tuple[tuple[str, ...] | None, dict[str, str]]:
    if entries is None:
        return None, {}
    _expect(
        isinstance(entries, list) and bool(entries), where, "enum muss eine nicht leere Liste sein"
    )
    codes, labels = [], {}
    for entry in entries:
        value = entry.get("value") if isinstance(entry, dict) else None
        # YAML reads 28 as a number; codes are text, so an unquoted number is a contract bug
        _expect(
            isinstance(value, str),
            where,
            f"enum-Wert {value!r} muss Text sein (in Anführungszeichen)",
        )
        codes.append(value)
        labels[value] = str(entry.get("label", value))
    _expect(len(set(codes)) == len(codes), where, "enum-Werte sind nicht eindeutig")
    return tuple(codes), labels


def _parse_rule(quality: dict[str, Any], names: list[str], where: str) -> ContractRule:
    name = _text(quality, "name", where)
    where = f"{where} {name!r}"
    _expect(quality.get("type") == "custom", where, "type muss custom sein")
    _expect(quality.get("engine") == RULE_ENGINE, where, f"engine muss {RULE_ENGINE} sein")
    impl = quality.get("implementation")
    _expect(isinstance(impl, dict), where, "implementation muss eine Abbildung sein")
    rule = impl.get("regel")
    _expect(
        rule in RULE_PARAMS, where, f"regel {rule!r} ist unbekannt; bekannt: {sorted(RULE_PARAMS)}"
    )
    reason = impl.get("grund")
    _expect(
        reason in REASON_PRIORITY,
        where,
        f"grund {reason!r} ist kein Grundcode (docs/architecture.md)",
    )
    expected = RULE_PARAMS[rule]
    params = {k: v for k, v in impl.items() if k not in ("regel", "grund")}
    missing = set(expected) - set(params)
    extra = set(params) - set(expected) - _OPTIONAL_RULE_PARAMS.get(rule, set())
    _expect(not missing, where, f"Parameter fehlen: {sorted(missing)}")
    _expect(not extra, where, f"unbekannte Parameter: {sorted(extra)}")
    for param, kind in expected.items():
        value = params[param]
        if kind == "column":
            _expect(value in names, where, f"{param}: Spalte {value!r} steht nicht im Vertrag")
        elif kind == "columns":
            _expect(
                isinstance(value, list) and bool(value) and all(v in names for v in value),
                where,
                f"{param}: {value!r} ist keine Liste von Vertragsspalten",
            )
        else:
            _expect(isinstance(value, int | float), where, f"{param} muss eine Zahl sein")
    if "ausnahmen" in params:
        exc = params["ausnahmen"]
        _expect(
            isinstance(exc, dict)
            and exc.get("spalte") in names
            and isinstance(exc.get("maximum"), dict)
            and all(isinstance(k, str) and isinstance(v, int) for k, v in exc["maximum"].items()),
            where,
            "ausnahmen braucht spalte (Vertragsspalte) und maximum {code: zahl}",
        )
    return ContractRule(
        name=name,
        rule=rule,
        reason=reason,
        column=params.get("spalte"),
        description=" ".join(_text(quality, "description", where).split()),
        params=params,
    )


def _rule_columns(rule: ContractRule) -> list[str]:
    """Every column a rule reads."""
    names = []
    for param, kind in RULE_PARAMS[rule.rule].items():
        if kind == "column":
            names.append(rule.params[param])
        elif kind == "columns":
            names.extend(rule.params[param])
    if "ausnahmen" in rule.params:
        names.append(rule.params["ausnahmen"]["spalte"])
    return names


def _parse_period(spec: Any, names: list[str], where: str) -> tuple[str | None, str | None]:
    if spec is None:
        return None, None
    _expect(isinstance(spec, dict), where, "periode_aus_dateiname braucht art und spalte")
    kind, column = spec.get("art"), spec.get("spalte")
    _expect(
        kind in PERIOD_KINDS, where, f"periode_aus_dateiname.art muss eine von {PERIOD_KINDS} sein"
    )
    _expect(
        column in names, where, f"periode_aus_dateiname.spalte {column!r} steht nicht im Vertrag"
    )
    return kind, column


def _parse_ba_symbols(
    spec: Any, columns: tuple[ContractColumn, ...], where: str
) -> dict[str, int | None]:
    uses_symbols = any(c.ba_symbols for c in columns)
    if spec is None:
        _expect(not uses_symbols, where, "ba_symbole-Spalten ohne ba_symboltabelle")
        return {}
    _expect(uses_symbols, where, "ba_symboltabelle ohne Spalte mit ba_symbole")
    _expect(isinstance(spec, list) and bool(spec), where, "ba_symboltabelle muss eine Liste sein")
    table: dict[str, int | None] = {}
    for entry in spec:
        _expect(
            isinstance(entry, dict) and isinstance(entry.get("symbol"), str) and "wert" in entry,
            where,
            "ba_symboltabelle: jeder Eintrag braucht symbol und wert",
        )
        _expect(
            entry["wert"] is None or isinstance(entry["wert"], int),
            where,
            "wert muss leer oder ganzzahlig sein",
        )
        table[entry["symbol"]] = entry["wert"]
    return table


def _parse_cadence(sla: Any, where: str) -> str:
    for entry in sla or []:
        if entry.get("property") == "frequency":
            value = entry.get("value")
            _expect(value in CADENCES, where, f"frequency muss eine von {CADENCES} sein")
            return value
    raise ContractError(f"{where}: slaProperties.frequency (Lieferrhythmus) fehlt")


def _check_aliases(columns: tuple[ContractColumn, ...], where: str) -> None:
    seen: dict[str, str] = {}
    for col in columns:
        if col.origin != "spalte":
            continue
        for spelling in {normalise_header(s) for s in (col.name, *col.aliases)}:
            other = seen.setdefault(spelling, col.name)
            _expect(
                other == col.name,
                where,
                f"Kopfzeile {spelling!r} passt zu {other!r} und {col.name!r}",
            )


def _custom_properties(entries: Any, where: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for entry in entries or []:
        key = entry.get("property")
        _expect(key not in result, where, f"customProperty {key!r} doppelt")
        result[key] = entry.get("value")
    return result


def _text(mapping: dict[str, Any], key: str, where: str) -> str:
    value = mapping.get(key)
    _expect(isinstance(value, str) and bool(value.strip()), where, f"{key} fehlt oder ist leer")
    return value


def _compile(pattern: str, where: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ContractError(
            f"{where}: Muster {pattern!r} ist kein regulärer Ausdruck ({exc})"
        ) from exc


def _expect(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise ContractError(f"{where}: {message}")
