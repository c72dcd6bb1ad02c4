"""The repository stands alone: its real data are intact and nothing names a path outside it.

`.ci/run` also runs a quick part of the suite and a real-data demo in a fresh clone that
cannot see the folder around the original checkout.
"""

from __future__ import annotations

import hashlib
import re
import subprocess

import pytest

from tests.conftest import REALDATA, REPO

# the real data are copies of public files; the checks below concern what we wrote
DATA_PREFIXES = ("data/realdata/",)
# assembled, so that this file does not name what it forbids
SHARED = ".." + "/shared"
WORK = "/" + "work/"
# absolute paths of a developer's or CI machine: home folders, mounts, the agents' tree
FOREIGN = re.compile(
    r"(?<![\w.~/-])(/(?:home|Users|root|mnt|srv|media|builds|work)/[\w.-]+"
    r"|[A-Za-z]:\\\\(?:Users|work)\\\\)"
)


def tracked_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout
    return [p for p in out.decode("utf-8").split("\0") if p]


def text_of(path: str) -> str | None:
    data = (REPO / path).read_bytes()
    if b"\0" in data[:8192]:
        return None  # binary (xlsx fixtures, ...)
    return data.decode("utf-8", errors="replace")


def test_realdata_checksums_hold():
    sums = {}
    for line in (REALDATA / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            sums[name.lstrip("*").removeprefix("./")] = digest
    present = {
        str(p.relative_to(REALDATA))
        for p in REALDATA.rglob("*")
        if p.is_file() and p.name != "SHA256SUMS"
    }
    assert present == set(sums), (
        f"nicht in SHA256SUMS: {sorted(present - set(sums))[:5]}, "
        f"fehlt im Ordner: {sorted(set(sums) - present)[:5]}"
    )
    bad = [
        name
        for name, digest in sums.items()
        if hashlib.sha256((REALDATA / name).read_bytes()).hexdigest() != digest
    ]
    assert not bad, f"Prüfsumme falsch: {bad[:5]}"


def test_every_realdata_folder_is_described_in_sources():
    sources = (REALDATA / "SOURCES.md").read_text(encoding="utf-8")
    folders = {p.name for p in REALDATA.iterdir() if p.is_dir()}
    assert folders
    assert not [f for f in folders if f"{f}/" not in sources]


def test_no_tracked_file_names_a_path_outside_the_repository():
    if not (REPO / ".git").exists():
        pytest.skip("kein Git-Checkout")
    own = str(REPO)
    found = []
    for path in tracked_files():
        if path.startswith(DATA_PREFIXES) or path == "tests/test_self_contained.py":
            continue
        text = text_of(path)
        if text is None:
            continue
        for no, line in enumerate(text.splitlines(), start=1):
            hit = (
                SHARED in line
                or WORK in line
                or (own != "/" and own in line)
                or FOREIGN.search(line) is not None
            )
            if hit:
                found.append(f"{path}:{no}: {line.strip()[:100]}")
    assert not found, "Pfade außerhalb des Repositorys:\n" + "\n".join(found[:20])


def test_the_scan_finds_what_it_must():
    # the patterns themselves, so that a typo cannot make the scan above pass vacuously
    assert FOREIGN.search("see /home/anna/daten.csv")
    assert FOREIGN.search(r"C:\\Users\\anna")
    assert FOREIGN.search("open(" + repr(WORK + "shared/x") + ")")
    assert not FOREIGN.search("/tmp/sozialmonitor_lint.duckdb and /dev/null")
    # a URL path and a relative docs path that merely contain the word: built from parts so
    # that this file itself names no path outside the repository
    assert not FOREIGN.search(
        "https://github.com" + "/" + "wo" + "rk/x and docs" + "/" + "wo" + "rk/x"
    )
