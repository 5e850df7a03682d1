"""Conditions, mechanisms and drug classes the vocabulary lacks, defined in kg/reference.yaml:
a trial of another disease is curated without changing the ontology."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph

from trialkg.build import compile_graph
from trialkg.records.loader import RecordError
from trialkg.terms import TKG

REFERENCE = """
conditions:
  - id: nsclc
    label: non-small cell lung cancer
    synonyms: [NSCLC]
  - id: egfr-mutated-nsclc
    label: EGFR-mutated non-small cell lung cancer
    broader: nsclc
mechanisms:
  - {id: egfr-inhibition, label: EGFR inhibition}
drug_classes:
  - {id: egfr-tki, label: EGFR tyrosine kinase inhibitor}
biomarker_statuses:
  - {id: egfr-mutated, label: EGFR-mutated, target: egfr}
"""

UNIT = """
  - {id: kilogram, label: kilogram, synonyms: [kg], mappings: ["UO:0000009"]}
"""

TARGET = """
  - {id: egfr, label: epidermal growth factor receptor, synonyms: [EGFR]}
"""

DRUG = """
  - id: osimertinib
    label: osimertinib
    classes: [egfr-tki]
    mechanisms: [egfr-inhibition]
"""

DOCUMENT = (
    "Osimertinib was given to 556 patients with EGFR-mutated NSCLC. Mean weight change was"
    " -1.2 kg (SD 3.1); median time on treatment was 14.2 months (IQR 9.8-19.5). In the 120"
    " patients with brain metastases, the hazard ratio for progression was 0.47 (95% CI,"
    " 0.30 to 0.74); median PFS was 15.2 months with osimertinib. Median overall survival"
    " was not reached (95% CI, 31.8 to NR) with osimertinib. Median PFS with gefitinib was"
    " not estimable. Osimertinib was non-inferior to gefitinib for PFS (hazard ratio 0.91;"
    " margin, hazard ratio 1.25). Osimertinib 80 mg was given orally once daily.\n"
)

SOURCE = """source:
  id: lung-report
  kind: news-article
  document: lung.txt
  reports: [lung-trial]
studies:
  - id: lung-trial
    label: LUNG
    kind: interventional
    enrollment: {value: 556, type: actual, quote: "556 patients"}
    population:
      conditions: [egfr-mutated-nsclc]
      biomarkers: [egfr-mutated]
      quote: "EGFR-mutated NSCLC"
    data_cuts:
      - {id: primary, label: primary analysis, kind: primary, cutoff: 2022-06-30}
    subgroups:
      - id: brain-metastases
        label: patients with brain metastases
        patients: {value: 120, quote: "the 120 patients with brain metastases"}
    arms:
      - id: osimertinib
        label: osimertinib
        role: experimental
        regimen:
          components: [osimertinib, {drug_class: egfr-tki}]
          doses:
            - {drug: osimertinib, amount: 80, unit: milligram, route: oral,
               schedule: once daily, quote: "Osimertinib 80 mg was given orally once daily"}
      - id: gefitinib
        label: gefitinib
        role: active-comparator
    endpoints:
      - {id: weight, kind: other, label: weight change}
      - {id: duration, kind: other, label: time on treatment}
      - {id: pfs, kind: pfs}
      - {id: os, kind: os}
    comparisons:
      - {endpoint: pfs, experimental: osimertinib, comparator: gefitinib,
         subgroup: brain-metastases, statistic: hazard-ratio, value: 0.47,
         ci: {lower: 0.30, upper: 0.74}, quote: "0.47 (95% CI, 0.30 to 0.74)"}
      - {endpoint: pfs, experimental: osimertinib, comparator: gefitinib,
         statistic: hazard-ratio, value: 0.91, data_cut: primary,
         hypothesis: non-inferiority, margin: 1.25, significant: true,
         quote: "non-inferior to gefitinib for PFS (hazard ratio 0.91; margin, hazard ratio 1.25)"}
    results:
      - {arm: osimertinib, endpoint: weight, measure: mean, value: -1.2, unit: kilogram,
         sd: 3.1, quote: "Mean weight change was -1.2 kg (SD 3.1)"}
      - {arm: osimertinib, endpoint: duration, measure: median, value: 14.2, unit: month,
         iqr: {lower: 9.8, upper: 19.5}, quote: "14.2 months (IQR 9.8-19.5)"}
      - {arm: osimertinib, endpoint: pfs, measure: median, value: 15.2, unit: month,
         subgroup: brain-metastases, quote: "median PFS was 15.2 months"}
      - {arm: osimertinib, endpoint: os, measure: median, value: not-reached, unit: month,
         ci: {lower: 31.8, upper: not-reached}, quote: "not reached (95% CI, 31.8 to NR)"}
      - {arm: gefitinib, endpoint: pfs, measure: median, value: not-estimable, unit: month,
         quote: "Median PFS with gefitinib was not estimable"}
"""


@pytest.fixture
def lung(records_copy: Path, documents: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The seed records with a lung-cancer trial added, and a documents folder with it."""
    ref = records_copy / "reference.yaml"
    text = ref.read_text(encoding="utf-8").replace("drugs:\n", "drugs:" + DRUG, 1)
    text = text.replace("targets:\n", "targets:" + TARGET, 1)
    text = text.replace("units:\n", "units:" + UNIT, 1)
    ref.write_text(text + REFERENCE, encoding="utf-8")
    (records_copy / "sources" / "900-lung.yaml").write_text(SOURCE, encoding="utf-8")
    docs = tmp_path / "documents"
    shutil.copytree(documents, docs)
    (docs / "lung.txt").write_text(DOCUMENT, encoding="utf-8")
    return records_copy, docs


def compiled_union(lung: tuple[Path, Path]) -> Graph:
    """Every graph the records compile to (without reasoning), as one."""
    union = Graph()
    for _name, graph in compile_graph(*lung, reason=False).graphs:
        union += graph
    return union


def rows(graph: Graph, query: str) -> set[tuple[str, ...]]:
    head = "PREFIX tkg: <https://w3id.org/trialkg/ontology#>\n"
    return {tuple(str(t) for t in row) for row in graph.query(head + query)}  # type: ignore[union-attr]


def test_a_trial_of_another_disease_uses_the_terms_reference_yaml_adds(
    lung: tuple[Path, Path],
) -> None:
    union = compiled_union(lung)
    ids = "https://w3id.org/trialkg/id/"
    assert rows(
        union,
        """SELECT ?cond ?broader WHERE {
             <https://w3id.org/trialkg/id/study/lung-trial/population> tkg:hasCondition ?cond .
             ?cond <http://www.w3.org/2004/02/skos/core#broader> ?broader }""",
    ) == {(f"{ids}condition/egfr-mutated-nsclc", f"{ids}condition/nsclc")}
    assert rows(
        union,
        """SELECT ?m WHERE { <https://w3id.org/trialkg/id/drug/osimertinib> tkg:hasMechanism ?m ;
             a <https://w3id.org/trialkg/id/drug-class/egfr-tki> }""",
    ) == {(f"{ids}mechanism/egfr-inhibition",)}
    assert rows(
        union,
        """SELECT ?c WHERE { <https://w3id.org/trialkg/id/study/lung-trial/arm/osimertinib/regimen>
             tkg:hasComponent ?c }""",
    ) == {(f"{ids}drug/osimertinib",), (f"{ids}drug/any-egfr-tki",)}
    assert rows(
        union,
        """SELECT ?status ?target WHERE {
             <https://w3id.org/trialkg/id/study/lung-trial/population> tkg:biomarkerStatus ?status .
             ?status tkg:ofBiomarker ?target }""",
    ) == {(f"{ids}biomarker-status/egfr-mutated", f"{ids}target/egfr")}
    assert rows(
        union,
        """SELECT ?v ?unit ?uo WHERE { ?r tkg:forArm
             <https://w3id.org/trialkg/id/study/lung-trial/arm/osimertinib> ;
             tkg:value ?v ; tkg:unit ?unit .
             ?unit a tkg:Unit ; <http://www.w3.org/2004/02/skos/core#exactMatch> ?uo }""",
    ) == {("-1.2", f"{ids}unit/kilogram", "http://purl.obolibrary.org/obo/UO_0000009")}
    assert rows(
        union,
        """SELECT ?v ?kind ?d ?lo ?hi ?stated WHERE {
             ?r tkg:forArm <https://w3id.org/trialkg/id/study/lung-trial/arm/osimertinib> ;
                tkg:value ?v ; tkg:dispersionType ?kind ; tkg:hasEvidence ?ev .
             ?ev tkg:aboutProperty ?stated .
             FILTER (?stated NOT IN (tkg:value))
             OPTIONAL { ?r tkg:dispersion ?d }
             OPTIONAL { ?r tkg:lowerLimit ?lo ; tkg:upperLimit ?hi }
           }""",
    ) == {
        ("-1.2", "standard deviation", "3.1", "None", "None", str(TKG.dispersion)),
        ("14.2", "inter-quartile range", "None", "9.8", "19.5", str(TKG.lowerLimit)),
        ("14.2", "inter-quartile range", "None", "9.8", "19.5", str(TKG.upperLimit)),
    }


def test_a_non_inferiority_test_with_its_margin(lung: tuple[Path, Path]) -> None:
    union = compiled_union(lung)
    assert rows(
        union,
        """SELECT ?h ?margin ?stated WHERE {
             ?c tkg:hypothesis ?h ; tkg:nonInferiorityMargin ?margin ; tkg:hasEvidence ?ev .
             ?ev tkg:aboutProperty ?stated }""",
    ) == {
        (str(TKG.NonInferiority), "1.25", str(p))
        for p in (TKG.statisticallySignificant, TKG.nonInferiorityMargin)
    }


def test_a_median_not_reached_is_a_value_status(lung: tuple[Path, Path]) -> None:
    """ "Not reached (95% CI, 31.8 to NR)": the result says why it has no value, its CI has
    its lower bound and says why it has no upper one, and the quote is evidence for each."""
    union = compiled_union(lung)
    assert rows(
        union,
        """SELECT ?status ?lower ?upper ?stated WHERE {
             ?r tkg:forEndpoint <https://w3id.org/trialkg/id/study/lung-trial/endpoint/os> ;
                tkg:valueStatus ?status ; tkg:ciLower ?lower ; tkg:ciUpperStatus ?upper ;
                tkg:hasEvidence ?ev .
             ?ev tkg:aboutProperty ?stated ; tkg:quote "not reached (95% CI, 31.8 to NR)" .
             FILTER NOT EXISTS { ?r tkg:value ?v }
           }""",
    ) == {
        (str(TKG.NotReached), "31.8", str(TKG.NotReached), str(p))
        for p in (TKG.valueStatus, TKG.ciLower, TKG.ciUpperStatus)
    }


@pytest.mark.reasoner
def test_the_library_names_a_median_not_estimable(lung: tuple[Path, Path], tmp_path: Path) -> None:
    """``drug-trials-pfs`` gives each arm's median PFS, or why there is none."""
    from trialkg.build import build
    from trialkg.paths import queries_dir
    from trialkg.query import execute, resolve_term
    from trialkg.store import Store

    build(*lung, tmp_path / "store")  # the trial's drugs are inferred from its arms
    store = Store.open(tmp_path / "store")
    text = (queries_dir() / "drug-trials-pfs.rq").read_text(encoding="utf-8")
    drug = {"drug": resolve_term(store, "id:drug/osimertinib")}
    got = {
        (str(r["armLabel"].value), r["median"] and r["median"].value,
         r["medianStatus"] and r["medianStatus"].value)
        for r in execute(store, text, drug)
    }  # fmt: skip
    assert got == {("osimertinib", "15.2", None), ("gefitinib", None, "not estimable")}


SECOND = """source:
  id: lung-update
  kind: news-article
  document: lung-update.txt
  reports: [lung-trial]
studies:
  - id: lung-trial
    label: LUNG
    arms:
      - {id: osimertinib, label: osimertinib, role: experimental}
    endpoints:
      - {id: os, kind: os}
    results:
      - {arm: osimertinib, endpoint: os, measure: median, value: 38.6, unit: month,
         ci: {lower: 34.5, upper: 41.8}, quote: "38.6 months (95% CI, 34.5 to 41.8)"}
"""


def test_a_number_where_another_source_says_not_reached_is_a_conflict(
    lung: tuple[Path, Path], tmp_path: Path
) -> None:
    """One source: median overall survival not reached (95% CI, 31.8 to NR); a later one:
    38.6 months (34.5 to 41.8). The value and the upper bound are conflicts, each side with
    its words; the lower bounds disagree as two numbers."""
    from trialkg.build import build
    from trialkg.conflicts import conflicts
    from trialkg.store import Store

    records, docs = lung
    (records / "sources" / "901-lung-update.yaml").write_text(SECOND, encoding="utf-8")
    (docs / "lung-update.txt").write_text(
        "Median overall survival was 38.6 months (95% CI, 34.5 to 41.8).\n", encoding="utf-8"
    )
    build(records, docs, tmp_path / "store", reason=False)
    store = Store.open(tmp_path / "store")
    found = {
        (c.prop.rsplit("#", 1)[-1], c.first.value, c.second.value, c.second.quotes)
        for c in conflicts(store)
        if "/lung-trial/result/os/" in c.node
    }
    nr = ("not reached (95% CI, 31.8 to NR)",)
    assert found == {
        ("value", "38.6", "not reached", nr),
        ("ciUpper", "41.8", "not reached", nr),
        ("ciLower", "31.8", "34.5", ("38.6 months (95% CI, 34.5 to 41.8)",)),
    }
    # the network view: the statuses as lines of the node's tooltip, the node marked
    from trialkg.viz.model import build_graph

    node = build_graph(store).nodes[
        "https://w3id.org/trialkg/id/study/lung-trial/result/os/osimertinib/median"
    ]
    assert {("value status", "not reached"), ("confidence interval upper bound status",
            "not reached")} <= set(node["attributes"])  # fmt: skip
    assert node["conflict"]


FINAL = """source:
  id: lung-final
  kind: news-article
  document: lung-final.txt
  reports: [lung-trial]
studies:
  - id: lung-trial
    label: LUNG
    data_cuts:
      - {id: final, label: final analysis, kind: final, cutoff: 2024-03-31,
         quote: "final analysis (data cut-off, 31 March 2024)"}
    arms:
      - {id: osimertinib, label: osimertinib, role: experimental}
      - {id: gefitinib, label: gefitinib, role: active-comparator}
    endpoints:
      - {id: os, kind: os}
      - {id: pfs, kind: pfs}
    results:
      - {arm: osimertinib, endpoint: os, measure: median, value: 38.6, unit: month,
         data_cut: final, quote: "median overall survival was 38.6 months"}
    comparisons:
      - {endpoint: pfs, experimental: osimertinib, comparator: gefitinib, data_cut: final,
         statistic: hazard-ratio, value: 0.80, quote: "hazard ratio for progression, 0.80"}
    adverse_events:
      - {arm: osimertinib, event: any-adverse-event, grade: "3-4", percentage: 42.0,
         data_cut: final, quote: "grade 3-4 adverse events in 42.0%"}
"""


def test_results_at_a_later_data_cut_are_not_conflicts(
    lung: tuple[Path, Path], tmp_path: Path
) -> None:
    """The primary analysis gave median OS not reached and a PFS hazard ratio of 0.91; the
    final analysis, 38.6 months and 0.80. Each result is a node of its own at its data cut,
    so the later figures are no conflicts; the effect-estimate queries name the data cut."""
    from trialkg.build import build
    from trialkg.conflicts import conflicts
    from trialkg.query import execute, library
    from trialkg.store import Store

    records, docs = lung
    (records / "sources" / "902-lung-final.yaml").write_text(FINAL, encoding="utf-8")
    (docs / "lung-final.txt").write_text(
        "At the final analysis (data cut-off, 31 March 2024), median overall survival was 38.6"
        " months; the hazard ratio for progression, 0.80; grade 3-4 adverse events in 42.0%.\n",
        encoding="utf-8",
    )
    build(records, docs, tmp_path / "store", reason=False)
    store = Store.open(tmp_path / "store")
    assert not [c for c in conflicts(store) if "/lung-trial/" in c.node]
    ids = "https://w3id.org/trialkg/id/study/lung-trial"
    cut = store.select(
        f"""PREFIX tkg: <https://w3id.org/trialkg/ontology#>
        SELECT ?r ?v ?kind ?date WHERE {{
          ?r tkg:atDataCut <{ids}/data-cut/final> ; tkg:value ?v .
          <{ids}/data-cut/final> tkg:dataCutKind ?kind ; tkg:dataCutoffDate ?date ;
            tkg:dataCutOf <{ids}> }} ORDER BY ?r"""
    )
    assert [(r["r"].value.removeprefix(ids), r["v"].value, r["kind"].value, r["date"].value)
            for r in cut] == [
        ("/comparison/pfs/osimertinib-vs-gefitinib/data-cut/final/hazard-ratio", "0.8",
         str(TKG.FinalAnalysis), "2024-03-31"),
        ("/result/os/osimertinib/median/data-cut/final", "38.6", str(TKG.FinalAnalysis),
         "2024-03-31"),
    ]  # fmt: skip
    events = store.select(
        f"""PREFIX tkg: <https://w3id.org/trialkg/ontology#>
        SELECT ?r WHERE {{
          ?r tkg:atDataCut <{ids}/data-cut/final> ; tkg:percentOfPatients 42.0 }}"""
    )
    assert [r["r"].value.removeprefix(ids) for r in events] == [
        "/adverse-event/osimertinib/any-adverse-event/grade-3-4/data-cut/final"
    ]
    (query,) = [q for q in library() if q.slug == "hazard-ratios"]
    cuts = {
        (sol["value"].value, sol["dataCut"].value if sol["dataCut"] else None)
        for sol in execute(store, query.text, {})
        if sol["study"].value == ids and sol["subgroup"] is None
    }
    assert cuts == {("0.91", "primary analysis (LUNG)"), ("0.8", "final analysis (LUNG)")}


@pytest.mark.parametrize(
    ("old", "new", "message", "where"),
    [
        ("conditions: [egfr-mutated-nsclc]", "conditions: [sclc]", "unknown condition 'sclc'",
         "900-lung.yaml"),
        ("{drug_class: egfr-tki}", "{drug_class: alk-tki}", "unknown drug class 'alk-tki'",
         "900-lung.yaml"),
        ("broader: nsclc", "broader: lung-cancer", "unknown condition 'lung-cancer'",
         "reference.yaml"),
        ("id: nsclc\n", "id: breast-cancer\n", "'breast-cancer' is already in the vocabulary",
         "reference.yaml"),
        ("biomarkers: [egfr-mutated]", "biomarkers: [alk-positive]",
         "unknown biomarker status 'alk-positive'", "900-lung.yaml"),
        ("target: egfr}", "target: alk}", "unknown target 'alk'", "reference.yaml"),
        ("unit: kilogram,", "unit: kg,", "unknown unit 'kg'", "900-lung.yaml"),
        ("id: kilogram,", "id: month,", "'month' is already in the vocabulary",
         "reference.yaml"),
        ("sd: 3.1,", "sd: 3.1, range: {lower: -4, upper: 2},",
         "give one of sd, se, iqr, range with a value (got ['sd', 'range'])", "900-lung.yaml"),
        ("upper: 19.5}", "upper: 9.5}", "lower limit 9.8 is above upper limit 9.5",
         "900-lung.yaml"),
        ("lower: 9.8", "lower: 14.5", "value 14.2 lies outside its iqr [14.5, 19.5]",
         "900-lung.yaml"),
        ("subgroup: brain-metastases, statistic", "subgroup: liver, statistic",
         "unknown subgroup 'liver'", "900-lung.yaml"),
        ("data_cut: primary,", "data_cut: final,", "unknown data cut 'final'",
         "900-lung.yaml"),
        ("kind: primary,", "kind: second-interim,", "unknown data cut kind 'second-interim'",
         "900-lung.yaml"),
        ("hypothesis: non-inferiority,", "hypothesis: superiority,",
         "a margin belongs to a non-inferiority or equivalence test", "900-lung.yaml"),
        ("hypothesis: non-inferiority,", "hypothesis: noninferiority,",
         "unknown hypothesis 'noninferiority'", "900-lung.yaml"),
        ("{drug: osimertinib, amount", "{drug: gefitinib, amount",
         "dose of 'gefitinib', which is not a component of this regimen; its drugs: osimertinib",
         "900-lung.yaml"),
        ("amount: 80, unit: milligram,", "amount: 80,", "a dose of 80 needs its unit",
         "900-lung.yaml"),
        ("route: oral,", "route: orally,", "unknown route 'orally'", "900-lung.yaml"),
        ("unit: milligram,", "unit: mg,", "unknown unit 'mg'", "900-lung.yaml"),
    ],
)  # fmt: skip
def test_a_term_neither_vocabulary_nor_reference_yaml_has_is_named(
    lung: tuple[Path, Path], old: str, new: str, message: str, where: str
) -> None:
    records, docs = lung
    for path in (records / "reference.yaml", records / "sources" / "900-lung.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RecordError) as info:
        compile_graph(records, docs, reason=False)
    found = [i for i in info.value.issues if message in i.message]
    assert found and found[0].file.endswith(where) and found[0].line > 0, info.value.issues


def test_a_dose_is_a_figure_of_the_arms_regimen(lung: tuple[Path, Path]) -> None:
    """Osimertinib 80 mg orally once daily: a dosage of the arm's regimen, its amount a
    figure with the quote that states it."""
    dosage = (
        "https://w3id.org/trialkg/id/study/lung-trial/arm/osimertinib/regimen/dosage/osimertinib"
    )
    found = rows(
        compiled_union(lung),
        f"""SELECT ?drug ?amount ?unit ?route ?schedule ?quote WHERE {{
          ?reg tkg:hasDosage <{dosage}> .
          ?arm tkg:hasRegimen ?reg .
          <{dosage}> a tkg:Dosage ; tkg:dosageOf ?drug ; tkg:doseAmount ?amount ;
              tkg:doseUnit ?unit ; tkg:route ?route ; tkg:dosingSchedule ?schedule .
          ?ev tkg:evidenceFor <{dosage}> ; tkg:aboutProperty tkg:doseAmount ; tkg:quote ?quote .
        }}""",
    )
    assert found == {
        (
            "https://w3id.org/trialkg/id/drug/osimertinib",
            "80.0",
            "http://purl.obolibrary.org/obo/UO_0000022",
            str(TKG.OralRoute),
            "once daily",
            "Osimertinib 80 mg was given orally once daily",
        )
    }


DOSE_ELSEWHERE = """source:
  id: lung-dose
  kind: news-article
  document: lung-dose.txt
  reports: [lung-trial]
studies:
  - id: lung-trial
    label: LUNG
    arms:
      - id: osimertinib
        label: osimertinib
        regimen:
          components: [osimertinib]
          doses:
            - {drug: osimertinib, amount: 40, unit: milligram,
               quote: "osimertinib at 40 mg a day"}
"""


def test_two_sources_giving_two_doses_are_a_conflict(
    lung: tuple[Path, Path], tmp_path: Path
) -> None:
    from trialkg.build import build
    from trialkg.conflicts import conflicts
    from trialkg.store import Store

    records, docs = lung
    (records / "sources" / "902-lung-dose.yaml").write_text(DOSE_ELSEWHERE, encoding="utf-8")
    (docs / "lung-dose.txt").write_text("Patients took osimertinib at 40 mg a day.\n")
    build(records, docs, tmp_path / "store", reason=False)
    found = {
        (c.prop.rsplit("#", 1)[-1], c.first.value, c.second.value, c.first.quotes, c.second.quotes)
        for c in conflicts(Store.open(tmp_path / "store"))
        if c.node.endswith("/regimen/dosage/osimertinib")
    }
    assert found == {
        ("doseAmount", "40", "80", ("osimertinib at 40 mg a day",),
         ("Osimertinib 80 mg was given orally once daily",)),
    }  # fmt: skip
    # the trial view draws the dosage beside its regimen, marked as a conflict
    from trialkg.viz.views import trial_view

    view = trial_view(
        Store.open(tmp_path / "store"), "https://w3id.org/trialkg/id/study/lung-trial"
    )
    dosage = (
        "https://w3id.org/trialkg/id/study/lung-trial/arm/osimertinib/regimen/dosage/osimertinib"
    )
    regimen = dosage.rsplit("/dosage/", 1)[0]
    assert view.graph.nodes[dosage]["conflict"]
    assert view.positions[dosage][1] == view.positions[regimen][1]


SUBGROUP = "https://w3id.org/trialkg/id/study/lung-trial/population/brain-metastases"


def test_results_in_a_subgroup_are_its_own_and_name_it(lung: tuple[Path, Path]) -> None:
    """A hazard ratio and a median reported for a subgroup are nodes of their own, apart
    from the whole population's, and name the subgroup: a population of its own, part of
    the study population, with its size."""
    union = compiled_union(lung)
    ids = "https://w3id.org/trialkg/id/study/lung-trial/"
    assert rows(
        union,
        """SELECT ?r ?v WHERE { ?r tkg:value ?v ; tkg:forSubgroup
             <https://w3id.org/trialkg/id/study/lung-trial/population/brain-metastases> }""",
    ) == {
        (f"{ids}comparison/pfs/osimertinib-vs-gefitinib/subgroup/brain-metastases/hazard-ratio",
         "0.47"),
        (f"{ids}result/pfs/osimertinib/median/subgroup/brain-metastases", "15.2"),
    }  # fmt: skip
    assert rows(
        union,
        f"""SELECT ?parent ?n ?label WHERE {{ <{SUBGROUP}> a tkg:Population ;
              tkg:subpopulationOf ?parent ; tkg:populationSize ?n ;
              <http://www.w3.org/2000/01/rdf-schema#label> ?label }}""",
    ) == {(f"{ids}population", "120", "patients with brain metastases (LUNG)")}


@pytest.mark.reasoner
def test_reasoning_and_registry_records_meet_the_added_terms(
    lung: tuple[Path, Path], tmp_path: Path
) -> None:
    """With reasoning, the added class's drug is still a drug; a registry record naming the
    condition by a synonym ("NSCLC") points to the same node as the curated population."""
    import json

    from trialkg.paths import default_documents_dir
    from trialkg.sources.ctgov import read_record
    from trialkg.triples.ctgov import Context, registry_graphs

    records, docs = lung
    compiled = compile_graph(records, docs, reason=True)
    union = Graph()
    for _name, graph in compiled.graphs:
        union += graph
    patina = "https://w3id.org/trialkg/id/study/patina/population"
    assert ("https://w3id.org/trialkg/ontology#HRPositive",) in rows(
        union, f"SELECT ?s WHERE {{ <{patina}> tkg:biomarkerStatus ?s }}"
    )  # inferred: a hormone-receptor status is a biomarker status
    # a subgroup has its population's conditions and biomarker statuses
    ids = "https://w3id.org/trialkg/id/"
    assert rows(
        union,
        f"SELECT ?c ?b WHERE {{ <{SUBGROUP}> tkg:hasCondition ?c ; tkg:biomarkerStatus ?b }}",
    ) == {(f"{ids}condition/egfr-mutated-nsclc", f"{ids}biomarker-status/egfr-mutated")}
    drug = "https://w3id.org/trialkg/id/drug/osimertinib"
    assert rows(union, f"SELECT ?t WHERE {{ <{drug}> a ?t }}") >= {
        ("https://w3id.org/trialkg/ontology#Drug",),
        ("https://w3id.org/trialkg/id/drug-class/egfr-tki",),
    }
    data = json.loads(
        (default_documents_dir().parent / "ctgov" / "NCT03377387.json").read_text(encoding="utf-8")
    )
    data["protocolSection"]["conditionsModule"]["conditions"] = ["NSCLC"]
    del data["derivedSection"]["conditionBrowseModule"]  # its MeSH headings name breast cancer
    record = tmp_path / "NCT03377387.json"
    record.write_text(json.dumps(data), encoding="utf-8")
    _, graph, _, _ = registry_graphs(read_record(record), Context.from_records(records))
    assert rows(graph, "SELECT ?c WHERE { ?p tkg:hasCondition ?c }") == {
        ("https://w3id.org/trialkg/id/condition/nsclc",)
    }


def test_a_registry_outcome_in_a_unit_reference_yaml_names_is_in_that_unit(
    lung: tuple[Path, Path], tmp_path: Path
) -> None:
    """An outcome "in kg" is in the unit kg/reference.yaml defines with that synonym; one in
    a unit no vocabulary names is in a unit of its own ("µg/mL" and "g/mL" apart; a
    percentile is no percent), listed in the report; "Number of participants" is a count,
    without a unit."""
    import copy
    import json

    from trialkg.paths import default_documents_dir
    from trialkg.sources.ctgov import read_record
    from trialkg.triples.ctgov import Context, registry_graphs

    records, _docs = lung
    data = json.loads(
        (default_documents_dir().parent / "ctgov" / "NCT02513394.json").read_text(encoding="utf-8")
    )
    outcomes = data["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]
    for title, unit in [("Weight", "kg"), ("Trough A", "µg/mL"), ("Trough B", "g/mL"),
                        ("Patients Treated", "Number of participants"),
                        ("Trough C", "percentile")]:  # fmt: skip
        om = copy.deepcopy(outcomes[4])
        param = "NUMBER" if title.startswith("Patients") else "MEAN"
        om.update(title=title, unitOfMeasure=unit, paramType=param, analyses=[])
        outcomes.append(om)
    record = tmp_path / "NCT02513394.json"
    record.write_text(json.dumps(data), encoding="utf-8")
    _, graph, _, report = registry_graphs(read_record(record), Context.from_records(records))
    ids = "https://w3id.org/trialkg/id/"
    assert rows(
        graph,
        """SELECT ?title ?measure ?unit WHERE { ?r tkg:forEndpoint ?e ; tkg:measure ?measure .
             ?e tkg:timeFrame ?tf ; <http://www.w3.org/2000/01/rdf-schema#label> ?title .
             OPTIONAL { ?r tkg:unit ?unit }
             FILTER (REGEX(?title, "^(Weight|Trough|Patients)")) }""",
    ) == {
        ("Weight (PALLAS)", "https://w3id.org/trialkg/ontology#Mean", f"{ids}unit/kilogram"),
        ("Trough A (PALLAS)", "https://w3id.org/trialkg/ontology#Mean",
         f"{ids}unit/microg-per-ml"),
        ("Trough B (PALLAS)", "https://w3id.org/trialkg/ontology#Mean", f"{ids}unit/g-per-ml"),
        ("Trough C (PALLAS)", "https://w3id.org/trialkg/ontology#Mean", f"{ids}unit/percentile"),
        ("Patients Treated (PALLAS)", "https://w3id.org/trialkg/ontology#CountOfPatients",
         "None"),
    }  # fmt: skip
    assert report.new_units == ["µg/mL", "g/mL", "percentile"]


def test_a_subgroups_hazard_ratio_is_a_forest_row_of_its_own(lung: tuple[Path, Path]) -> None:
    """The forest plot's rows and the effect-estimate query name the subgroup an estimate
    is reported for."""
    from trialkg.build import build_in_memory
    from trialkg.query import execute, library
    from trialkg.viz import plots

    store = build_in_memory(*lung, reason=False)
    lung_rows = [r for r in plots.forest_rows(store) if r.trial == "LUNG"]
    assert sorted((r.population, r.value, r.ci_lower, r.ci_upper) for r in lung_rows) == [
        ("population of LUNG", 0.91, None, None),
        ("subgroup: patients with brain metastases (LUNG)", 0.47, 0.3, 0.74),
    ]
    assert "LUNG: population of LUNG, primary analysis (LUNG) [lung-report]" in {
        r.label for r in lung_rows
    }  # the row names the data cut it is reported at
    (query,) = [q for q in library() if q.slug == "hazard-ratios"]
    subgroups = {
        (str(sol["study"].value), sol["subgroup"].value if sol["subgroup"] else None,
         sol["hypothesis"].value if sol["hypothesis"] else None)
        for sol in execute(store, query.text, {})
    }  # fmt: skip
    lung = "https://w3id.org/trialkg/id/study/lung-trial"
    assert (lung, "patients with brain metastases (LUNG)", None) in subgroups
    assert (lung, None, "non-inferiority") in subgroups  # the test's hypothesis too
    assert ("https://w3id.org/trialkg/id/study/patina", None, None) in subgroups
