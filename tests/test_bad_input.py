"""Bad records get an error naming file, line and field; the store is left as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trialkg.build import compile_graph
from trialkg.cli import app
from trialkg.records.loader import RecordError

PATINA = "sources/000-patina-news-summary.yaml"
PALMIRA = "sources/004-palmira-asco-2023.yaml"

# (id, file, old text, new text, expected message part, expected field part, marker line)
CASES = [
    ("malformed-yaml", PATINA, "studies:\n", "studies: [\n", "malformed YAML", "", None),
    (
        "unknown-key",
        PATINA,
        "    acronym: PATINA\n",
        "    acronym: PATINA\n    colour: red\n",
        "unknown key",
        "studies[0].colour",
        "colour: red",
    ),
    (
        "wrong-type",
        PATINA,
        "      value: 518\n",
        "      value: many\n",
        "valid integer",
        "studies[0].enrollment.value",
        "value: many",
    ),
    (
        "dangling-reference",
        PATINA,
        "{arm: palbociclib, endpoint: pfs, measure: median",
        "{arm: palbo, endpoint: pfs, measure: median",
        "unknown arm 'palbo'",
        "studies[0].results[0].arm",
        "arm: palbo,",
    ),
    (
        "impossible-percentage",
        PATINA,
        "percentage: 79.9",
        "percentage: 179.9",
        "less than or equal to 100",
        "studies[0].adverse_events[0].percentage",
        "179.9",
    ),
    (
        "impossible-ci",
        PALMIRA,
        "measure: median, value: 4.2, unit: month,",
        "measure: median, value: 4.2, unit: month, ci: {lower: 5, upper: 6},",
        "outside its CI",
        "studies[0].results[0]",
        "ci: {lower: 5",
    ),
    (
        "unknown-value-status",
        PATINA,
        "measure: median, value: 44.3,",
        "measure: median, value: NR,",
        "expected a number, or one of not-reached, not-estimable (got 'NR')",
        "studies[0].results[0].value",
        "value: NR,",
    ),
    (
        "rate-not-reached",
        PALMIRA,
        "measure: rate, value: 40.9,",
        "measure: rate, value: not-reached,",
        "only a median can be not-reached",
        "studies[0].results[2]",
        "value: not-reached,",
    ),
    (
        "ci-bound-not-reached-below-the-value",
        PALMIRA,
        "measure: median, value: 4.2, unit: month,",
        "measure: median, value: 4.2, unit: month, ci: {lower: 4.5, upper: not-reached},",
        "outside its CI [4.5, not-reached]",
        "studies[0].results[0]",
        "ci: {lower: 4.5",
    ),
    (
        "duplicate-id",
        PALMIRA,
        "      - id: endocrine-therapy\n        label: second-line",
        "      - id: palbociclib\n        label: second-line",
        "duplicate id 'palbociclib' (first defined at line",
        "studies[0].arms[1].id",
        None,
    ),
    (
        "duplicate-key",
        PATINA,
        "    acronym: PATINA\n",
        "    acronym: PATINA\n    acronym: X\n",
        "duplicate key",
        "studies[0].acronym",
        "acronym: X",
    ),
    (
        "quote-not-found",
        PATINA,
        '"Palbociclib – 44.3 months"',
        '"Palbociclib – 45.3 months"',
        "quote not found verbatim",
        "studies[0].results[0].quote",
        "45.3 months",
    ),
    (
        "arms-exceed-enrollment",
        PATINA,
        "      value: 518\n",
        "      value: 300\n",
        "add up to 518, more than the enrollment of 300",
        "studies[0].arms",
        None,
    ),
    (
        "missing-document",
        PATINA,
        "document: 000_2b390cde6b9134b7.txt",
        "document: missing.txt",
        "cannot read the source document",
        "source.document",
        "document: missing.txt",
    ),
    (
        "negative-count",
        PALMIRA,
        'grade: "5", count: 0,',
        'grade: "5", count: -1,',
        "greater than or equal to 0",
        "studies[0].adverse_events[2].count",
        "count: -1",
    ),
    (
        "hazard-ratio-not-positive",
        "sources/002-patina-healthday.yaml",
        "        value: 0.75\n",
        "        value: 0\n",
        "must be greater than 0",
        "studies[0].comparisons[0]",
        None,
    ),
    (
        "unknown-vocabulary",
        PATINA,
        '    phase: "3"\n',
        '    phase: "III"\n',
        "unknown phase 'III'",
        "studies[0].phase",
        'phase: "III"',
    ),
]


def mutate(root: Path, rel: str, old: str, new: str) -> Path:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test case out of date: {old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def line_of(path: Path, marker: str) -> int:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if marker in line:
            return n
    raise AssertionError(marker)


@pytest.mark.parametrize(
    ("case", "rel", "old", "new", "message", "field", "marker"), CASES, ids=[c[0] for c in CASES]
)
def test_bad_record_is_reported_precisely(
    records_copy: Path,
    documents: Path,
    case: str,
    rel: str,
    old: str,
    new: str,
    message: str,
    field: str,
    marker: str | None,
) -> None:
    path = mutate(records_copy, rel, old, new)
    with pytest.raises(RecordError) as info:
        compile_graph(records_copy, documents, reason=False)
    matching = [i for i in info.value.issues if message in i.message]
    assert matching, [str(i) for i in info.value.issues]
    issue = matching[0]
    assert issue.file == str(path)
    assert field in issue.field
    assert issue.line > 0
    if marker is not None:
        assert issue.line == line_of(path, marker), str(issue)


def test_bad_mapping_in_reference(records_copy: Path, documents: Path) -> None:
    path = mutate(records_copy, "reference.yaml", '"CHEBI:85993"', '"CHEBBI:85993"')
    with pytest.raises(RecordError) as info:
        compile_graph(records_copy, documents, reason=False)
    (issue,) = info.value.issues
    assert issue.file == str(path)
    assert issue.field == "drugs[0].mappings[1]"
    assert "expected PREFIX:ID" in issue.message
    assert issue.line == line_of(path, "CHEBBI")


def test_duplicate_source_id_across_files(records_copy: Path, documents: Path) -> None:
    mutate(records_copy, PALMIRA, "id: palmira-asco-2023-report", "id: patina-news-summary")
    with pytest.raises(RecordError, match="source id 'patina-news-summary' is also used"):
        compile_graph(records_copy, documents, reason=False)


def test_same_doi_under_two_ids(records_copy: Path, documents: Path) -> None:
    mutate(
        records_copy,
        "sources/001-patina-news-medicaldialogues.yaml",
        "  - id: metzger-2026-nejm",
        "  - id: metzger-nejm",
    )
    path = records_copy / "sources/001-patina-news-medicaldialogues.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "cites: [metzger-2026-nejm]", "cites: [metzger-nejm]"
    )
    path.write_text(
        text.replace("reported_in: [metzger-2026-nejm]", "reported_in: [metzger-nejm]"),
        encoding="utf-8",
    )
    with pytest.raises(RecordError, match=r"DOI 10\.1056/NEJMoa2511218 is publication"):
        compile_graph(records_copy, documents, reason=False)


def test_same_pmid_under_two_ids(records_copy: Path, documents: Path) -> None:
    """A PubMed id names one publication, as a DOI does; a PMID must be digits."""
    for rel, pub in (("sources/000-patina-news-summary.yaml", "metzger-2026-nejm"),
                     ("sources/003-palumbo-2024-drugs-in-context.yaml", None)):  # fmt: skip
        path = records_copy / rel
        text = path.read_text(encoding="utf-8")
        if pub:
            text = text.replace(f"  - id: {pub}\n", f"  - id: {pub}\n    pmid: '41000001'\n", 1)
        else:
            text = text.replace("  doi: 10.7573/dic.2023-7-5", "  doi: 10.7573/dic.2023-7-5\n"
                                "  pmid: '41000001'", 1)  # fmt: skip
        path.write_text(text, encoding="utf-8")
    with pytest.raises(RecordError, match=r"PMID 41000001 is publication 'metzger-2026-nejm'"):
        compile_graph(records_copy, documents, reason=False)
    mutate(records_copy, "sources/000-patina-news-summary.yaml", "'41000001'", "PMC123")
    with pytest.raises(RecordError, match="is not a PubMed identifier"):
        compile_graph(records_copy, documents, reason=False)


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.mark.reasoner
@pytest.mark.parametrize("case", ["wrong-type", "quote-not-found", "malformed-yaml"])
def test_failed_build_leaves_store_unchanged(
    seed_store_root: Path, records_copy: Path, documents: Path, tmp_path: Path, case: str
) -> None:
    store = tmp_path / "store"
    shutil.copytree(seed_store_root, store)
    before = snapshot(store)
    _, rel, old, new, message, _, _ = next(c for c in CASES if c[0] == case)
    mutate(records_copy, rel, old, new)
    result = CliRunner().invoke(
        app,
        [
            "build",
            "--records",
            str(records_copy),
            "--documents",
            str(documents),
            "--store",
            str(store),
        ],
    )
    assert result.exit_code == 1
    assert message in result.output
    assert str(records_copy / rel) in result.output
    assert "nothing was written" in result.output
    assert snapshot(store) == before


def test_percent_ranges_apply_to_shares_and_rate_differences_only() -> None:
    """A percentage of patients lies in 0-100 and a difference of two in -100-100; a mean
    percent change may lie below 0 (as the graph's shapes say)."""
    from pydantic import ValidationError

    from trialkg.records.model import ArmResult, Comparison

    share = {"arm": "a", "endpoint": "orr", "unit": "percent", "quote": "q"}
    ArmResult(**share, measure="mean", value=-35.2)
    with pytest.raises(ValidationError, match="between 0 and 100"):
        ArmResult(**share, measure="percentage", value=-35.2)
    pair = {"endpoint": "orr", "experimental": "a", "comparator": "b", "quote": "q"}
    Comparison(**pair, statistic="rate-difference", value=-5.2, unit="percent")
    with pytest.raises(ValidationError, match="between -100 and 100 percentage points"):
        Comparison(
            **pair, statistic="rate-difference", value=-5, unit="percent",
            ci={"lower": -120, "upper": 10},
        )  # fmt: skip


def test_a_median_not_reached_and_bounds_not_estimable() -> None:
    """An article's "median not reached (95% CI, 28.4 to NR)": the value and a bound are
    ``not-reached`` or ``not-estimable``; checks on numbers apply to the numbers given."""
    from pydantic import ValidationError

    from trialkg.records.model import ArmResult, Comparison

    median = {"arm": "a", "endpoint": "os", "measure": "median", "unit": "month", "quote": "q"}
    nr = ArmResult(**median, value="not-reached", ci={"lower": 28.4, "upper": "not-reached"})
    assert nr.value == "not-reached" and nr.ci is not None and nr.ci.upper == "not-reached"
    ArmResult(**median, value=31.2, ci={"lower": "not-estimable", "upper": 40})
    with pytest.raises(ValidationError, match="has no sd"):
        ArmResult(**median, value="not-estimable", sd=2)
    with pytest.raises(ValidationError, match="CI lower bound 5 is above upper bound 4"):
        ArmResult(**median, value="not-reached", ci={"lower": 5, "upper": 4})
    with pytest.raises(ValidationError, match="expected a number"):
        ArmResult(**median, value=float("nan"))
    pair = {"endpoint": "os", "experimental": "a", "comparator": "b", "quote": "q"}
    Comparison(
        **pair, statistic="hazard-ratio", value=0.7, ci={"lower": 0.5, "upper": "not-estimable"}
    )
    with pytest.raises(ValidationError, match="greater than 0"):
        Comparison(
            **pair, statistic="hazard-ratio", value=0.7, ci={"lower": 0, "upper": "not-estimable"}
        )
    with pytest.raises(ValidationError, match="valid decimal"):  # an estimate is a number
        Comparison(**pair, statistic="hazard-ratio", value="not-estimable")  # type: ignore[arg-type]
