"""Same scale and seed give byte-identical files, XLSX included."""

from __future__ import annotations

import hashlib
import io
import zipfile

from pipelines.synthetic import generate


def _digests(root) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_two_runs_are_byte_identical(small_city, tmp_path):
    root, manifest = small_city
    again = generate(tmp_path / "again", scale="small", seed=7, defects=True)
    first, second = _digests(root), _digests(tmp_path / "again")
    assert first == second
    assert any(k.endswith(".xlsx") for k in first)
    assert again == manifest


def test_other_seed_gives_other_city(small_city, tmp_path):
    root, _ = small_city
    generate(tmp_path / "other", scale="small", seed=8, defects=True)
    a = (root / "einwohner" / "einwohner_2024-12-31.csv").read_bytes()
    b = (tmp_path / "other" / "einwohner" / "einwohner_2024-12-31.csv").read_bytes()
    assert a != b


def test_xlsx_has_constant_timestamps(small_city):
    root, manifest = small_city
    xlsx = [k for k, v in manifest["files"].items() if v["format"] == "xlsx"]
    assert xlsx
    for rel in xlsx:
        with zipfile.ZipFile(io.BytesIO((root / rel).read_bytes())) as z:
            assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
            core = z.read("docProps/core.xml").decode("utf-8")
            assert "2025-01-15T08:00:00Z" in core


def test_progress_is_called_for_every_file(tmp_path):
    seen: list[tuple[str, int]] = []
    manifest = generate(tmp_path, scale="small", seed=3, progress=lambda f, n: seen.append((f, n)))
    assert [f for f, _ in seen] == list(dict.fromkeys(f for f, _ in seen))  # each once
    assert {f for f, _ in seen} == set(manifest["files"])
    assert all(manifest["files"][f]["rows"] == n for f, n in seen)
