"""audit.eingang for Dagster runs started from the UI, a sensor or a schedule.

`sozialmonitor run` writes one inventory for the whole command (it starts several Dagster
runs and knows all their results). A job started anywhere else writes its own: every file
of the landing folder, keyed by the Dagster run id, each ingest step of the run adding what
it loaded or refused. Files of kinds the job does not load are `unveraendert` when the
warehouse holds them, else `nicht_verarbeitet` with the reason.
"""

from __future__ import annotations

from dataclasses import replace

from pipelines.deliveries import inventory
from pipelines.warehouse import store
from pipelines.warehouse.audit import current_sha256, write_inventory

# tag of the Dagster runs `sozialmonitor run` starts: it writes the inventory itself
CLI_RUN_TAG = "sozialmonitor/befehl"
OTHER_JOB = "nicht in diesem Lauf geladen: der Job lädt andere Lieferarten oder Zeiträume"


def record(context, paths, discovery, results: list) -> None:
    """Merge this step's results into the run's inventory (no-op for `sozialmonitor run`)."""
    if CLI_RUN_TAG in (context.run.tags or {}):
        return
    run_id = context.run.run_id
    with store.connect(paths.warehouse_db, read_only=True) as con:
        current = current_sha256(con)
        earlier = {
            (datei, quelle): row
            for datei, quelle, *row in con.execute(
                """select datei, quelle, periode, status, sha256, groesse_bytes, grund, meldung,
                          aehnelt
                   from audit.eingang where lauf_id = ?""",
                [run_id],
            ).fetchall()
        }
    mine = {(r.relpath, r.kind) for r in results}
    entries = []
    for e in inventory.build(discovery, results, current):
        key = (e.relpath, e.kind)
        old = earlier.get(key)
        if (
            key not in mine
            and old is not None
            and old[1] not in (inventory.UNCHANGED, inventory.NOT_PROCESSED, inventory.NOT_DELIVERY)
        ):
            # loaded or refused by an earlier step of this run: keep what it recorded
            e = inventory.Entry(e.relpath, e.kind, old[0], old[1], old[2], old[3], old[4],
                                old[5], old[6])  # fmt: skip
        elif e.status == inventory.NOT_PROCESSED:
            e = replace(e, message=OTHER_JOB)
        entries.append(e)
    write_inventory(paths.warehouse_db, run_id, entries)
