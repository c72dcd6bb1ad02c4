"""The landing-folder sensor: new or changed files start their load."""

import json

import dagster as dg

from pipelines.defs.ingest.requests import file_signature, ingest_requests
from pipelines.defs.resources import resource_from_env

KINDS = ("einwohner", "bewegungen", "sgb2", "sgb12", "sgb8", "finanzen")


@dg.sensor(
    name="eingangsordner",
    minimum_interval_seconds=120,
    description="Neue oder geänderte Dateien im Eingangsordner laden (je Lieferzeitraum ein Lauf); "
    "geänderte Referenzdaten laden die Referenztabellen neu.",
    default_status=dg.DefaultSensorStatus.STOPPED,
)
def eingangsordner(context: dg.SensorEvaluationContext):
    resource = resource_from_env()
    seen = json.loads(context.cursor) if context.cursor else {}
    requests: list[dg.RunRequest] = []
    reference = resource.landing() / "reference"
    if reference.is_dir():
        for path in sorted(reference.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                rel = f"reference/{path.name}"
                sig = file_signature(path)
                if seen.get(rel) != sig:
                    seen[rel] = sig
                    requests.append(dg.RunRequest(run_key=f"{rel}:{sig}", job_name="referenzdaten"))
    runs, adds = ingest_requests(context.instance, resource, KINDS, seen=seen)
    context.update_cursor(json.dumps(seen, sort_keys=True))
    return dg.SensorResult(run_requests=requests + runs, dynamic_partitions_requests=adds)


def sensors() -> list:
    return [eingangsordner]
