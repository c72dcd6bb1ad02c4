"""Every delivery kind of the registry is complete: each place that derives from its
contract exists, and each place that must be written by hand for it is there.

The places are collected from the real system (the Dagster definitions, the raw DDL run in
DuckDB, the dbt manifest, docs/sources.md, the Musterstadt example landing folder). A
missing place fails with a German message naming the kind and the place; the
parametrised tests below remove one place at a time and show that each is caught.
"""

from __future__ import annotations

import copy
import importlib
import json
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipelines.contracts import read_contracts
from pipelines.contracts.loader import CONTRACTS_DIR, all_contracts
from pipelines.contracts.model import DeliveryContract
from pipelines.deliveries.base import DeliveryKind
from pipelines.deliveries.registry import PACKAGE, RegistryError, kind_class

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "tests" / "fixtures" / "musterstadt" / "landing"
SOURCES_MD = REPO / "docs" / "sources.md"


@dataclass
class Places:
    """Where the system knows a delivery kind (kind names or raw table names per place)."""

    contracts: dict[str, DeliveryContract]
    transforms: dict[str, type[DeliveryKind] | str]  # the class, or why there is none
    transform_modules: set[str]  # kinds that a DeliveryKind subclass in deliveries/ names
    raw_tables: set[str]
    assets: set[str]
    jobs: dict[str, set[str]]
    sensor_assets: set[str]  # what the jobs the landing sensor starts load
    schedules: dict[str, set[str]]  # schedule -> kinds it loads
    dbt_sources: set[str]
    dbt_readers: set[str]  # raw tables some dbt model reads
    docs: str
    examples: set[str]
    notes: list[str] = field(default_factory=list)


def collect(contracts: dict[str, DeliveryContract] | None = None) -> Places:
    from pipelines.definitions import build_defs
    from pipelines.defs.dbt.assets import ensure_manifest
    from pipelines.defs.schedules import CYCLES
    from pipelines.deliveries.landing import discover
    from pipelines.warehouse.raw_tables import create_raw_schema_sql

    contracts = all_contracts() if contracts is None else contracts
    transforms: dict[str, type[DeliveryKind] | str] = {}
    for kind in contracts:
        try:
            transforms[kind] = kind_class(kind)
        except RegistryError as exc:
            transforms[kind] = str(exc)
    named = set()
    for path in sorted((REPO / "pipelines" / "deliveries").glob("*.py")):
        module = importlib.import_module(f"{PACKAGE}.{path.stem}")
        for obj in vars(module).values():
            if (
                isinstance(obj, type)
                and issubclass(obj, DeliveryKind)
                and obj.__module__ == module.__name__
                and obj.name
            ):
                named.add(obj.name)
    con = duckdb.connect()
    con.execute(create_raw_schema_sql())
    raw_tables = {
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'"
        ).fetchall()
    }
    repo = build_defs().get_repository_def()
    jobs = {
        j.name: {k.to_user_string() for k in j.asset_layer.selected_asset_keys}
        for j in repo.get_all_jobs()
    }
    sensor = next(s for s in repo.sensor_defs if s.name == "eingangsordner")
    manifest = json.loads(ensure_manifest().read_text(encoding="utf-8"))
    raw_sources = {uid: s["name"] for uid, s in manifest["sources"].items() if s["schema"] == "raw"}
    readers = {
        raw_sources[dep]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        for dep in node["depends_on"]["nodes"]
        if dep in raw_sources
    }
    found = discover(EXAMPLES, today=date(2025, 6, 30))
    return Places(
        contracts=contracts,
        transforms=transforms,
        transform_modules=named,
        raw_tables=raw_tables,
        assets={k.to_user_string() for k in repo.asset_graph.get_all_asset_keys()},
        jobs=jobs,
        sensor_assets={a for t in sensor.targets for a in jobs.get(t.job_name, set())},
        schedules={name: set(kinds) for name, kinds in CYCLES.items()},
        dbt_sources=set(raw_sources.values()),
        dbt_readers=readers,
        docs=SOURCES_MD.read_text(encoding="utf-8"),
        examples={f.kind for f in found.files},
    )


def missing(places: Places) -> list[str]:
    """What is missing, one German line per kind and place; empty when complete."""
    out = []
    for kind, contract in places.contracts.items():

        def gap(place: str, detail: str, kind: str = kind) -> None:
            out.append(f"Lieferart {kind!r}: {place} fehlt ({detail})")

        cls = places.transforms.get(kind, "nicht gesucht")
        if isinstance(cls, str):
            gap("Transformationsmodul", cls)
        elif contract.person_level:
            identifiers = {c.name for c in contract.columns if c.personal_handling == "pseudonym"}
            if set(cls.pseudonyms) != identifiers:
                gap(
                    "Pseudonymisierung",
                    f"{cls.__name__}.pseudonyms nennt {sorted(cls.pseudonyms)}, der Vertrag "
                    f"verlangt ein Pseudonym für {sorted(identifiers)}",
                )
        raw_names = {c.name for c in contract.raw_columns}
        if not isinstance(cls, str) and cls.volume_total not in (None, *raw_names):
            gap(
                "Mengenprüfung",
                f"volume_total {cls.volume_total!r} ist keine Spalte von raw.{kind}",
            )
        if kind not in places.raw_tables:
            gap("Rohtabelle", f"raw.{kind} wird nicht angelegt (rohtabelle im Vertrag)")
        if f"raw/{kind}" not in places.assets:
            gap("Dagster-Asset", f"raw/{kind}")
        if contract.is_reference:
            job = "referenzdaten"
            if f"raw/{kind}" not in places.jobs.get(job, set()):
                gap("Job", f"{job} lädt raw/{kind} nicht")
        else:
            job = f"laden_{kind}"
            if f"raw/{kind}" not in places.jobs.get(job, set()):
                gap("Job", f"{job} mit raw/{kind}")
        if f"raw/{kind}" not in places.sensor_assets:
            gap("Sensor", f"eingangsordner lädt raw/{kind} nicht (Job laden)")
        for schedule in contract.schedules:
            if kind not in places.schedules.get(schedule, set()):
                gap("Zeitplan", f"{schedule} lädt die Art nicht (Rhythmus {contract.cadence})")
        if kind not in places.dbt_sources:
            gap("dbt-Quelle", f"source('raw', '{kind}') in dbt_project/models/staging/")
        if contract.staging and kind not in places.dbt_readers:
            gap(
                "Staging-Modell",
                f"kein dbt-Modell liest raw.{kind} (oder staging_modell: false im Vertrag)",
            )
        if f"`{contract.landing_folder}/{contract.file_stem}" not in places.docs:
            gap("Beschreibung", f"docs/sources.md nennt {contract.landing_folder}/"
                f"{contract.file_stem}… nicht")  # fmt: skip
        if kind not in places.examples:
            gap(
                "Beispiellieferung",
                f"tests/fixtures/musterstadt/landing/{contract.landing_folder}/ hat keine "
                "Datei dieser Art",
            )
    for kind in sorted(places.transform_modules - set(places.contracts)):
        out.append(
            f"Lieferart {kind!r}: Datenvertrag fehlt (pipelines/deliveries/ kennt die Art, "
            f"data_contracts/{kind}.yaml nicht)"
        )
    return out


@pytest.fixture(scope="module")
def places() -> Places:
    return collect()


def test_every_kind_is_complete(places):
    assert set(places.contracts) == set(all_contracts())
    gaps = missing(places)
    assert not gaps, "\n".join(gaps)


def _without(places: Places, place: str, kind: str) -> Places:
    p = copy.deepcopy(places)
    contract = p.contracts[kind]
    if place == "Transformationsmodul":
        p.transforms[kind] = f"pipelines/deliveries/{kind}.py fehlt"
    elif place == "Pseudonymisierung":

        class Forgotten(p.transforms[kind]):  # type: ignore[misc, valid-type]
            pseudonyms = {}

        p.transforms[kind] = Forgotten
    elif place == "Mengenprüfung":

        class Misnamed(p.transforms[kind]):  # type: ignore[misc, valid-type]
            volume_total = "gibt_es_nicht"

        p.transforms[kind] = Misnamed
    elif place == "Rohtabelle":
        p.raw_tables.discard(kind)
    elif place == "Dagster-Asset":
        p.assets.discard(f"raw/{kind}")
    elif place == "Job":
        job = "referenzdaten" if contract.is_reference else f"laden_{kind}"
        p.jobs[job].discard(f"raw/{kind}")
    elif place == "Sensor":
        p.sensor_assets.discard(f"raw/{kind}")
    elif place == "Zeitplan":
        for schedule in contract.schedules:
            p.schedules[schedule].discard(kind)
    elif place == "dbt-Quelle":
        p.dbt_sources.discard(kind)
    elif place == "Staging-Modell":
        p.dbt_readers.discard(kind)
    elif place == "Beschreibung":
        p.docs = p.docs.replace(f"`{contract.landing_folder}/{contract.file_stem}", "`")
    elif place == "Beispiellieferung":
        p.examples.discard(kind)
    else:
        raise AssertionError(place)
    return p


PLACES = [
    ("Transformationsmodul", "sgb12"),
    ("Pseudonymisierung", "sgb8"),
    ("Mengenprüfung", "einwohner"),
    ("Rohtabelle", "finanzen"),
    ("Dagster-Asset", "sgb2"),
    ("Job", "bewegungen"),
    ("Job", "ziele"),
    ("Sensor", "einwohner"),
    ("Zeitplan", "sgb12"),
    ("dbt-Quelle", "produkte"),
    ("Staging-Modell", "sgb8"),
    ("Beschreibung", "gebiete_umschluessel"),
    ("Beispiellieferung", "gebiete_geometrie"),
]


@pytest.mark.parametrize(("place", "kind"), PLACES, ids=[f"{p}-{k}" for p, k in PLACES])
def test_each_left_out_place_is_named(places, place, kind):
    gaps = missing(_without(places, place, kind))
    assert gaps == [g for g in gaps if g.startswith(f"Lieferart {kind!r}: {place} fehlt")]
    assert len(gaps) >= 1, f"{place} von {kind} nicht bemerkt"


NEW = "neue_art_nur_vertrag"  # a kind that only has a contract (never a real one)


def test_a_contract_alone_is_no_kind(places, tmp_path):
    """A new contract without anything else: every hand-written place is reported missing."""
    folder = tmp_path / "data_contracts"
    shutil.copytree(CONTRACTS_DIR, folder)
    text = (folder / "bewegungen.yaml").read_text(encoding="utf-8")
    new = text.replace("bewegungen", NEW)
    (folder / f"{NEW}.yaml").write_text(new, encoding="utf-8")
    contracts = read_contracts(folder)
    p = copy.deepcopy(places)
    p.contracts = contracts
    with pytest.raises(RegistryError) as no_module:
        kind_class(NEW)
    p.transforms[NEW] = str(no_module.value)
    gaps = [g for g in missing(p) if f"{NEW!r}" in g]
    reported = {g.split(": ", 1)[1].split(" fehlt")[0] for g in gaps}
    assert reported == {
        "Transformationsmodul", "Rohtabelle", "Dagster-Asset", "Job", "Sensor", "Zeitplan",
        "dbt-Quelle", "Staging-Modell", "Beschreibung", "Beispiellieferung",
    }, gaps  # fmt: skip
    assert any(f"pipelines/deliveries/{NEW}.py fehlt" in g for g in gaps)
    assert not [g for g in missing(p) if f"{NEW!r}" not in g]


def test_a_transform_module_without_contract_is_reported(places):
    p = copy.deepcopy(places)
    del p.contracts["sgb8"]
    assert missing(p) == [
        "Lieferart 'sgb8': Datenvertrag fehlt (pipelines/deliveries/ kennt die Art, "
        "data_contracts/sgb8.yaml nicht)"
    ]
