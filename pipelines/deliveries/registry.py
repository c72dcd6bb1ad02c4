"""The registry of delivery kinds: data_contracts/<kind>.yaml plus pipelines/deliveries/<kind>.py.

A kind exists because its contract exists. The contract says where its files lie and how
they are named (`landing_ordner`, `dateimuster`), the period rule, the cadence and the
schedules that follow from it, which columns are personal data, the raw table
(`rohtabelle`) and the load order (`ladefolge`). The transform module of the same name
holds one `DeliveryKind` subclass with `name = "<kind>"` that turns a parsed file into raw
rows and quarantine rows. Everything else derives from these two: discovery (landing.py),
raw DDL (warehouse/raw_tables.py), Dagster assets, jobs, sensor and schedules (defs/),
the personal-data check, the load log's reference date (audit.loads.bezugsdatum).

    ALL_KINDS        kind -> DeliveryKind, in load order (reference data first)
    REFERENCE_KINDS  the kinds without a period (replaced as a whole)
    PERIOD_KINDS     the kinds with a period (one partition per period)
    FOLDERS          the landing folders, in load order of their first kind
"""

from __future__ import annotations

import importlib

from pipelines.contracts.loader import all_contracts
from pipelines.contracts.model import DeliveryContract
from pipelines.deliveries.base import DeliveryKind

PACKAGE = "pipelines.deliveries"


class RegistryError(ValueError):
    """A contract without its transform module, or a module that does not say its kind."""


def transform_module(kind: str) -> str:
    return f"{PACKAGE}.{kind}"


def kind_class(kind: str) -> type[DeliveryKind]:
    """The DeliveryKind subclass of pipelines/deliveries/<kind>.py with `name = kind`."""
    name = transform_module(kind)
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        raise RegistryError(
            f"Lieferart {kind!r}: Transformationsmodul pipelines/deliveries/{kind}.py fehlt "
            f"(der Vertrag data_contracts/{kind}.yaml ist vorhanden)"
        ) from None
    found = [
        obj
        for obj in vars(module).values()
        if isinstance(obj, type)
        and issubclass(obj, DeliveryKind)
        and obj.__module__ == name
        and obj.name == kind
    ]
    if len(found) != 1:
        raise RegistryError(
            f"Lieferart {kind!r}: pipelines/deliveries/{kind}.py braucht genau eine Klasse "
            f"(Unterklasse von DeliveryKind) mit name = {kind!r}, gefunden: {len(found)}"
        )
    return found[0]


def build_registry(contracts: dict[str, DeliveryContract]) -> dict[str, DeliveryKind]:
    return {kind: kind_class(kind)() for kind in contracts}


def schedule_kinds(schedule: str, contracts: dict[str, DeliveryContract] | None = None):
    """The period kinds one Dagster schedule loads (from cadence or `zeitplaene`)."""
    contracts = all_contracts() if contracts is None else contracts
    return tuple(k for k, c in contracts.items() if schedule in c.schedules)


def personal_columns(contracts: dict[str, DeliveryContract] | None = None) -> frozenset[str]:
    """Every column that some contract marks as personal data: never in the raw zone."""
    contracts = all_contracts() if contracts is None else contracts
    return frozenset(n for c in contracts.values() for n in c.personal_columns)


ALL_KINDS: dict[str, DeliveryKind] = build_registry(all_contracts())
REFERENCE_KINDS: dict[str, DeliveryKind] = {
    n: k for n, k in ALL_KINDS.items() if k.period_kind is None
}
PERIOD_KINDS: dict[str, DeliveryKind] = {
    n: k for n, k in ALL_KINDS.items() if k.period_kind is not None
}
FOLDERS: tuple[str, ...] = tuple(dict.fromkeys(k.folder for k in ALL_KINDS.values()))
