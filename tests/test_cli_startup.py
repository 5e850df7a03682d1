"""``trialkg --help`` stays fast: no heavy library is imported to print it."""

from __future__ import annotations

import subprocess
import sys

HEAVY = {
    "rdflib", "pyoxigraph", "rich", "networkx", "matplotlib", "pyshacl", "owlready2", "pyvis",
    "pydantic", "yaml", "numpy", "scipy",
}  # fmt: skip
CODE = """
import sys
from trialkg.cli import app
try:
    app(["--help"], prog_name="trialkg")
except SystemExit:
    pass
print(",".join(sorted({m.split(".")[0] for m in sys.modules})))
"""


def test_help_imports_no_heavy_library() -> None:
    out = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, check=True
    ).stdout
    lines = out.strip().splitlines()
    assert "Usage: trialkg" in out
    loaded = set(lines[-1].split(","))
    assert loaded & HEAVY == set()
