"""A non-editable wheel carries the ontology, the queries and the curated records."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_contains_data_and_runs_from_it(tmp_path: Path, documents: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        check=True,
    )
    (wheel,) = wheels.glob("trialkg-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "trialkg/_data/ontology/trialkg.ttl",
        "trialkg/_data/ontology/shapes.ttl",
        "trialkg/_data/queries/hazard-ratios.rq",
        "trialkg/_data/kg/reference.yaml",
        "trialkg/py.typed",
        "trialkg/terms.py",
    ):
        assert required in names, required
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
    )
    env = {**os.environ, "PYTHONPATH": str(target), "TRIALKG_DOCUMENTS": str(documents)}
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "from trialkg.paths import ontology_file, queries_dir, records_dir;"
            "print(ontology_file()); print(queries_dir()); print(records_dir())",
        ],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    for line in probe.stdout.splitlines():
        assert line.startswith(str(target)), line
        assert Path(line).exists(), line
    result = subprocess.run(
        [sys.executable, "-m", "trialkg.cli", "validate"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "5 sources" in result.stdout
