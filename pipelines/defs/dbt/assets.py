"""The dbt project as Dagster assets (dagster-dbt): every model an asset, tests as checks."""

import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from pipelines.defs.resources import Sozialmonitor
from pipelines.warehouse.files import restrict_tree

PROJECT_DIR = Path(__file__).resolve().parents[3] / "dbt_project"
MANIFEST = PROJECT_DIR / "target" / "manifest.json"
DB_ENV = "SOZIALMONITOR_WAREHOUSE_DB"
# the monthly path's earliest changed reference date (macros/tests_ab_periode.sql). An
# environment variable, not a dbt var: dbt re-parses the whole project when a var changes
# (5 s at small scale, on every monthly run and on the complete build after it); the macro
# reads it only while executing, so it never enters the parsed project
TESTS_FROM_ENV = "SOZIALMONITOR_TESTS_AB_PERIODE"


def available() -> bool:
    return (PROJECT_DIR / "dbt_project.yml").exists()


def _sources_newer_than_manifest() -> bool:
    if not MANIFEST.exists():
        return True
    built = MANIFEST.stat().st_mtime
    for sub in ("models", "seeds", "macros", "tests", "snapshots"):
        for p in (PROJECT_DIR / sub).rglob("*"):
            if p.is_file() and p.stat().st_mtime > built:
                return True
    return (PROJECT_DIR / "dbt_project.yml").stat().st_mtime > built


def ensure_manifest() -> Path:
    """Parse the dbt project if the manifest is missing or older than the project files.

    Several processes may start at once (test workers, the UI, a scheduled run): one parses
    under a lock into its own folder and moves the manifest in with one rename.
    """
    if not _sources_newer_than_manifest():
        return MANIFEST
    import fcntl

    MANIFEST.parent.mkdir(parents=True, exist_ok=True)
    with (MANIFEST.parent / ".parse.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _sources_newer_than_manifest():
            from dbt.cli.main import dbtRunner

            os.environ.setdefault(DB_ENV, str(PROJECT_DIR / "target" / "parse_only.duckdb"))
            out = MANIFEST.parent / f"parse-{os.getpid()}"
            res = dbtRunner().invoke(
                ["parse", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
                 "--target-path", str(out), "--quiet"]
            )  # fmt: skip
            if not res.success:
                raise RuntimeError(f"dbt parse fehlgeschlagen: {res.exception}")
            os.replace(out / "manifest.json", MANIFEST)
            shutil.rmtree(out, ignore_errors=True)
    return MANIFEST


AUDIT_LOADS = dg.AssetKey(["audit", "loads"])


def _ingest_keys() -> list[dg.AssetKey]:
    from pipelines.deliveries.registry import ALL_KINDS

    return [dg.AssetKey(["raw", k]) for k in ALL_KINDS]


class Translator(DagsterDbtTranslator):
    """raw sources are the ingestion assets; models are keyed by layer (staging/marts/...).

    The load log `audit.loads` is no asset of its own: every ingestion asset writes its rows
    in the transaction of its load, so a model reading it depends on every ingestion asset.
    """

    def get_asset_spec(self, manifest, unique_id, project) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        if not any(dep.asset_key == AUDIT_LOADS for dep in spec.deps):
            return spec
        deps = [dep for dep in spec.deps if dep.asset_key != AUDIT_LOADS]
        have = {dep.asset_key for dep in deps}
        deps += [dg.AssetDep(key) for key in _ingest_keys() if key not in have]
        return spec.replace_attributes(deps=deps)

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        rtype = dbt_resource_props["resource_type"]
        if rtype == "source":
            if dbt_resource_props.get("source_name") == "audit":
                return dg.AssetKey(["audit", dbt_resource_props["name"]])
            return dg.AssetKey(["raw", dbt_resource_props["name"]])
        fqn = dbt_resource_props.get("fqn", [])
        layer = fqn[1] if len(fqn) > 2 else ("seeds" if rtype == "seed" else "dbt")
        return dg.AssetKey([layer, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props["resource_type"] == "seed":
            return "katalog"
        return fqn[1] if len(fqn) > 2 else "dbt"


def dbt_vars(config: dict) -> dict:
    """The city config's blocks that dbt reads, passed as they are (same names, no copies of
    defaults: the `indikatoren` defaults are dbt's own vars, see pipelines.config)."""
    return {
        "indikatoren": config["indikatoren"],
        "sozialindex": config["sozialindex"],
        "prognose": config.get("prognose", {}),
        "bedarfseckwerte": config.get("bedarfseckwerte") or {},
    }


class DbtLauf(dg.Config):
    """What one downstream run asks of dbt. `tests_ab_periode` (YYYY-MM-DD): the monthly
    path of `sozialmonitor run` (only some periods changed) has the data tests check the
    rows from this reference date on, and the incremental marts rebuild the reference
    dates from it on (macros/tests_ab_periode.sql); empty: every row, every incremental
    model from scratch (--full-refresh)."""

    tests_ab_periode: str = ""


def build_dbt_assets():
    manifest = ensure_manifest()

    @dbt_assets(
        manifest=manifest,
        dagster_dbt_translator=Translator(
            settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)
        ),
        name="dbt_modelle",
    )
    def dbt_modelle(
        context: dg.AssetExecutionContext,
        dbt: DbtCliResource,
        sozialmonitor: Sozialmonitor,
        config: DbtLauf,
    ):
        paths = sozialmonitor.paths()
        os.environ[DB_ENV] = str(paths.warehouse_db)
        dbt_config = dbt_vars(sozialmonitor.config())
        # the dbt subprocess inherits this process's environment (as DB_ENV above); the
        # date is this run's only: it goes again when the run ends (a later dbt call in the
        # same process, a test or the UI's code server, must not see it)
        if config.tests_ab_periode:
            os.environ[TESTS_FROM_ENV] = config.tests_ab_periode
        else:
            os.environ.pop(TESTS_FROM_ENV, None)
        # unit tests check the SQL against fixed rows with the default parameters: they run
        # in the test suite (tests/dbt), not against a city whose parameters differ
        args = [
            "build", "--exclude-resource-type", "unit_test", "--vars", json.dumps(dbt_config),
        ]  # fmt: skip
        if not config.tests_ab_periode:
            # everything but the monthly path builds the incremental models from scratch: a
            # period that is gone, or a model whose code changed, leaves no stale rows (an
            # incremental model rebuilds only what its fingerprint or date says)
            args.append("--full-refresh")
        # dbt's own log goes to a file in the warehouse folder, not to the user's terminal
        log_dir = paths.root / "logs"
        log_dir.mkdir(exist_ok=True)
        try:
            with (
                (log_dir / "dbt.log").open("a", encoding="utf-8") as log,
                contextlib.redirect_stdout(log),
            ):
                # one target folder per warehouse (not one per run): dbt parses only what
                # changed since the last run (partial parsing), and no run leaves a folder
                target = paths.root / "dbt_ziel"
                yield from dbt.cli(args, context=context, target_path=target).stream()
        finally:
            os.environ.pop(TESTS_FROM_ENV, None)
        # dagster-dbt copies partial_parse.msgpack from the project with its mode (0644)
        restrict_tree(target)

    return dbt_modelle


_WRAPPER = """#!{python}
# dbt, bound to the life of the process that started it (pipelines.machine.die_with_parent)
import sys
from pipelines.machine import die_with_parent
die_with_parent()
from dbt.cli.main import cli
sys.exit(cli())
"""


def dbt_executable() -> str:
    """A `dbt` launcher that dies with its parent (Linux); plain `dbt` elsewhere."""
    if not sys.platform.startswith("linux"):
        return "dbt"
    folder = Path(tempfile.gettempdir()) / f"sozialmonitor-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    # one launcher per Python environment: two checkouts on one machine must not rewrite
    # each other's launcher (each runs dbt from its own environment)
    env_id = hashlib.sha256(sys.executable.encode()).hexdigest()[:12]
    exe = folder / f"dbt-{env_id}"
    text = _WRAPPER.format(python=sys.executable)
    if not exe.exists() or exe.read_text() != text:
        tmp = folder / f".dbt.{os.getpid()}"
        tmp.write_text(text)
        tmp.chmod(0o700)
        os.replace(tmp, exe)
    return str(exe)


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(
        project_dir=str(PROJECT_DIR), profiles_dir=str(PROJECT_DIR), dbt_executable=dbt_executable()
    )
