"""SHACL shapes: a valid example conforms; each invalid one fails with a curator's message."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from trialkg.validate import shacl_report

DATA = Path(__file__).parent / "data" / "shapes"
INVALID = sorted(DATA.glob("invalid-*.ttl"))


def header(path: Path, key: str) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(f"# {key}:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"{path.name} has no '# {key}:' line")


def test_valid_example_conforms() -> None:
    path = DATA / "valid-minimal-trial.ttl"
    assert header(path, "why")
    assert shacl_report(Graph().parse(path), Graph()) == []


def test_there_are_invalid_examples() -> None:
    assert len(INVALID) >= 8


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_example_fails_with_message(path: Path) -> None:
    assert header(path, "why")
    expected = header(path, "expect")
    report = shacl_report(Graph().parse(path), Graph())
    messages = [message for _, _, message, _ in report]
    assert any(expected in m for m in messages), messages


@pytest.mark.parametrize(
    ("name", "expected"),
    [("valid-minimal-trial.ttl", None), ("invalid-percentage-over-100.ttl", "between 0 and 100")],
)
def test_chunked_validation_gives_the_same_verdict(name: str, expected: str | None) -> None:
    from trialkg.terms import TKG
    from trialkg.validate import split_for_validation

    graph = Graph().parse(DATA / name)
    rest, chunks = split_for_validation(graph, TKG.AdverseEventResult, chunk=1)
    assert len(chunks) == 1
    messages = [m for _, _, m, _ in shacl_report(rest, Graph())]
    for part, focus in chunks:
        messages += [m for _, _, m, _ in shacl_report(part, Graph(), focus)]
    if expected is None:
        assert messages == []
    else:
        assert any(expected in m for m in messages), messages
