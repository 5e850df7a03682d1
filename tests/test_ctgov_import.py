"""Importing ClinicalTrials.gov records into the store: one source each, conflicts kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from trialkg.build import build
from trialkg.cli import app
from trialkg.conflicts import conflicts
from trialkg.paths import default_documents_dir, records_dir
from trialkg.store import Store

pytestmark = pytest.mark.reasoner
CTGOV = default_documents_dir().parent / "ctgov"
SMALL = ["NCT03377387.json", "NCT03377387.xml", "NCT03587740.xml"]


@pytest.fixture(scope="module")
def imported(documents: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, Any]:
    root = tmp_path_factory.mktemp("imported") / "store"
    build(records_dir(), documents, root, reason=False)
    bad = tmp_path_factory.mktemp("bad") / "broken.json"
    bad.write_text('{"protocolSection": {', encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(
        app, ["import", "ctgov", *(str(CTGOV / f) for f in SMALL), str(bad), "--store", str(root)]
    )
    # Importing the same record version again, before anything opens the store read-only
    # (Oxigraph does not open a store for writing while this process reads it).
    again = runner.invoke(app, ["import", "ctgov", str(CTGOV / SMALL[0]), "--store", str(root)])
    return root, result.output, again


def test_bad_record_is_reported_and_others_imported(imported: tuple[Path, str, Any]) -> None:
    output = imported[1]
    assert "FAILED" in output and "broken.json" in output and "malformed JSON" in output
    assert output.count("ok     ") == 3
    assert "1 of 4 record(s) could not be imported" in output


def test_each_record_is_its_own_source(imported: tuple[Path, str, Any]) -> None:
    store = Store.open(imported[0])
    graphs = [g for g in store.named_graphs() if "/source/ctgov-" in g]
    assert sorted(g.rsplit("/", 1)[1] for g in graphs) == [
        "ctgov-nct03377387-2020-07-24-xml",
        "ctgov-nct03377387-2023-04-18-json",
        "ctgov-nct03587740-2020-07-08-xml",
    ]
    rows = store.select(
        "PREFIX tkg: <https://w3id.org/trialkg/ontology#> "
        "SELECT ?v WHERE { ?s tkg:registryId 'NCT02414646' ; tkg:registryId ?v }"
    )
    assert {r["v"].value for r in rows} == {"NCT02414646", "NCT03587740"}


def test_two_versions_disagree_and_both_are_kept(imported: tuple[Path, str, Any]) -> None:
    store = Store.open(imported[0])
    found = {
        (c.prop.rsplit("#", 1)[1], c.first.value, c.second.value)
        for c in conflicts(store)
        if c.node.endswith("/study/nct03377387")
    }
    assert ("enrollment", "48", "34") in found
    assert ("overallStatus", "RECRUITING", "ACTIVE_NOT_RECRUITING") in found


def test_reimport_is_a_no_op(imported: tuple[Path, str, Any]) -> None:
    again = imported[2]
    assert again.exit_code == 0, again.output
    assert "already imported" in again.output
    assert ", 0 quads" in again.output
