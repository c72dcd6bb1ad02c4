"""Lint every contract offline: ODCS grammar (datacontract-cli) plus sozialmonitor's rules.

    uv run --offline python -m pipelines.contracts.lint [data_contracts/x.yaml ...]

datacontract-cli validates ODCS v3 contracts against the JSON schema it ships
(datacontract/schemas/odcs-<version>.schema.json, chosen by `apiVersion`), so no network
is needed. Unlike the plain `datacontract lint` command, warnings fail here too: the CLI
only warns about unknown (misspelt) fields, which would silently drop a rule.
datacontract-cli is a dev dependency, hence the import inside the function.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pipelines.contracts.loader import CONTRACTS_DIR, ContractError, read_contract


def lint_contract(path: Path) -> list[str]:
    """Problems of one contract file as German messages; empty when it is clean."""
    from datacontract.data_contract import DataContract

    problems = []
    run = DataContract(data_contract_file=str(path), all_errors=True).lint()
    for check in run.checks:
        if check.result.value != "passed":
            problems.append(f"{path.name}: {check.result.value}: {check.name}: {check.reason}")
    try:
        read_contract(path)
    except ContractError as exc:
        problems.append(f"{path.name}: {exc}")
    return problems


def lint_contracts(paths: list[Path] | None = None) -> list[str]:
    files = paths or sorted(CONTRACTS_DIR.glob("*.yaml"))
    return [problem for path in files for problem in lint_contract(Path(path))]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    paths = [Path(a) for a in args] or sorted(CONTRACTS_DIR.glob("*.yaml"))
    problems = lint_contracts(paths)
    for problem in problems:
        print(problem)
    print(f"{len(paths)} Verträge geprüft, {len(problems)} Probleme.")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
