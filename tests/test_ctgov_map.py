"""Registry records mapped to triples: the shapes real records take beyond the fixtures
(several analyses of two arms, repeated titles, category rows, cohorts, placebo, pages of
search results, legacy XML results), each written as a variant of PALLAS's record and
validated as the importer validates it."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, URIRef

from trialkg.paths import default_documents_dir, records_dir
from trialkg.sources.ctgov import read_record
from trialkg.triples.ctgov import ImportReport

CTGOV = default_documents_dir().parent / "ctgov"


def legacy_results(data: dict[str, Any]) -> str:
    """API v2 results written as the legacy XML writes them (``clinical_results``), for
    the tests: the same figures in the other format."""
    from xml.sax.saxutils import escape, quoteattr

    rs = data["resultsSection"]

    def groups(items: list[dict[str, Any]], prefix: str) -> str:
        rows = "".join(
            f'<group group_id="{prefix}{i + 1}"><title>{escape(g["title"])}</title></group>'
            for i, g in enumerate(items)
        )
        return f"<group_list>{rows}</group_list>"

    def words(dispersion: str) -> str:  # "CONFIDENCE_975" -> "97.5% Confidence Interval"
        level = re.fullmatch(r"CONFIDENCE_(\d+)", dispersion)
        if level:
            pct = level.group(1)
            return f"{pct[:2]}{'.' if pct[2:] else ''}{pct[2:]}% Confidence Interval"
        return dispersion.replace("_", " ").title().replace("Inter Quartile", "Inter-Quartile")

    def gid(ref: str, prefix: str) -> str:  # "OG001" -> "O2"
        return f"{prefix}{int(ref[2:]) + 1}"

    flow = rs["participantFlowModule"]
    milestones = "".join(
        f"<milestone><title>{m['type']}</title><participants_list>"
        + "".join(
            f'<participants group_id="{gid(a["groupId"], "P")}" count="{a["numSubjects"]}"/>'
            for a in m["achievements"]
        )
        + "</participants_list></milestone>"
        for m in flow["periods"][0]["milestones"]
    )
    out = [
        f"<participant_flow>{groups(flow['groups'], 'P')}<period_list><period>"
        f"<title>Overall Study</title><milestone_list>{milestones}</milestone_list>"
        "</period></period_list></participant_flow><outcome_list>"
    ]
    for om in rs["outcomeMeasuresModule"]["outcomeMeasures"]:
        cells = "".join(
            "<class><category_list><category><measurement_list>"
            + "".join(
                f'<measurement group_id="{gid(m["groupId"], "O")}"'
                + "".join(
                    f" {xml}={quoteattr(m[key])}"
                    for key, xml in (("value", "value"), ("lowerLimit", "lower_limit"),
                                     ("upperLimit", "upper_limit"), ("spread", "spread"))
                    if key in m
                )
                # the legacy XML says why a figure is "NA" in the element's text
                + (f">{escape(m['comment'])}</measurement>" if "comment" in m else "/>")
                for m in c["categories"][0]["measurements"]
            )
            + "</measurement_list></category></category_list></class>"
            for c in om["classes"]
        )  # fmt: skip
        analyses = "".join(
            "<analysis><group_id_list>"
            + "".join(f"<group_id>{gid(g, 'O')}</group_id>" for g in an["groupIds"])
            + "</group_id_list>"
            + "".join(
                f"<{xml}>{escape(str(an[key]))}</{xml}>"
                for key, xml in (("pValue", "p_value"), ("statisticalMethod", "method"),
                                 ("paramType", "param_type"), ("paramValue", "param_value"),
                                 ("ciPctValue", "ci_percent"), ("ciLowerLimit", "ci_lower_limit"),
                                 ("ciUpperLimit", "ci_upper_limit"),
                                 ("dispersionType", "dispersion_type"),
                                 ("dispersionValue", "dispersion_value"),
                                 ("ciUpperLimitComment", "ci_upper_limit_na_comment"),
                                 ("nonInferiorityType", "non_inferiority_type"),
                                 ("nonInferiorityComment", "non_inferiority_desc"))
                if key in an
            )
            + "<ci_n_sides>2-Sided</ci_n_sides></analysis>"
            for an in om.get("analyses", [])
        )  # fmt: skip
        param = om["paramType"].replace("_", " ").title()
        out.append(
            f"<outcome><type>{om['type'].title()}</type><title>{escape(om['title'])}</title>"
            f"<time_frame>{escape(om['timeFrame'])}</time_frame>{groups(om['groups'], 'O')}"
            f"<measure><title>{escape(om['title'])}</title>"
            f"<units>{escape(om['unitOfMeasure'])}</units><param>{param}</param>"
            f"<dispersion>{escape(words(om.get('dispersionType', '')))}</dispersion>"
            f"<class_list>{cells}</class_list></measure>"
            f"<analysis_list>{analyses}</analysis_list></outcome>"
        )
    ae = rs["adverseEventsModule"]
    out.append(f"</outcome_list><reported_events>{groups(ae['eventGroups'], 'E')}")
    for key, tag in (("seriousEvents", "serious_events"), ("otherEvents", "other_events")):
        by_system: dict[str, list[str]] = {}
        for ev in ae[key]:
            counts = "".join(
                f'<counts group_id="{gid(st["groupId"], "E")}"'
                f' subjects_affected="{st["numAffected"]}" subjects_at_risk="{st["numAtRisk"]}"/>'
                for st in ev["stats"]
            )
            by_system.setdefault(ev["organSystem"], []).append(
                f"<event><sub_title>{escape(ev['term'])}</sub_title>{counts}</event>"
            )
        total = (
            "<category><title>Total</title><event_list><event><sub_title>Total, serious adverse"
            ' events</sub_title><counts group_id="E1" subjects_affected="1"'
            ' subjects_at_risk="1"/></event></event_list></category>'
        )
        out.append(
            f"<{tag}><default_vocab>MedDRA</default_vocab><category_list>{total}"
            + "".join(
                f"<category><title>{escape(system)}</title><event_list>{''.join(rows)}"
                "</event_list></category>"
                for system, rows in by_system.items()
            )
            + f"</category_list></{tag}>"
        )
    out.append("</reported_events>")
    baseline = rs["baselineCharacteristicsModule"]
    age = baseline["measures"][0]  # "Age, Continuous": median, full range
    cells = "".join(
        f'<measurement group_id="{gid(m["groupId"], "B")}" value="{m["value"]}"'
        f' lower_limit="{m["lowerLimit"]}" upper_limit="{m["upperLimit"]}"/>'
        for m in age["classes"][0]["categories"][0]["measurements"]
    )
    out.append(
        f"<baseline>{groups(baseline['groups'], 'B')}<measure_list><measure>"
        f"<title>{age['title']}</title><units>{age['unitOfMeasure']}</units><param>Median</param>"
        "<dispersion>Full Range</dispersion><class_list><class><category_list><category>"
        f"<measurement_list>{cells}</measurement_list></category></category_list></class>"
        "</class_list></measure></measure_list></baseline>"
    )
    return "<clinical_results>" + "".join(out) + "</clinical_results>"


def test_legacy_xml_results_read_as_the_api_v2_results(tmp_path: Path) -> None:
    """The same results in the legacy XML and in API v2 JSON give the same result nodes
    with the same figures; only the evidence points elsewhere (XPath, JSON Pointer)."""
    data = pallas_json()
    xml = (CTGOV / "NCT02513394.xml").read_text(encoding="utf-8")
    legacy = tmp_path / "NCT02513394.xml"
    legacy.write_text(
        xml.replace("</clinical_study>", legacy_results(data) + "</clinical_study>"),
        encoding="utf-8",
    )
    from_json, _ = mapped(tmp_path, data)
    rec = read_record(legacy)
    assert rec.format == "ctgov-legacy-xml" and len(rec.outcomes) == 5
    from trialkg.triples.ctgov import Context, registry_graphs

    _, from_xml, _, report = registry_graphs(rec, Context.from_records(records_dir()))
    figures = """SELECT ?r ?p ?v WHERE {
        ?r a tkg:Result ; ?p ?v .
        FILTER (?p IN (tkg:value, tkg:ciLower, tkg:ciUpper, tkg:ciLevel, tkg:pValue,
                       tkg:pValueComparator, tkg:patientCount, tkg:patientsAtRisk,
                       tkg:forArm, tkg:forEndpoint, tkg:measure, tkg:unit))
      } ORDER BY ?r ?p ?v"""
    assert select(from_xml, figures) == select(from_json, figures)
    assert len(select(from_json, figures)) > 100
    flow = "SELECT ?a ?p ?n WHERE { ?a tkg:numberOfPatients ?n . BIND(1 AS ?p) } ORDER BY ?a"
    assert select(from_xml, flow) == select(from_json, flow) != []
    age = """SELECT ?p ?v WHERE { ?pop a tkg:Population ; ?p ?v .
               FILTER (?p IN (tkg:medianAge, tkg:minAge, tkg:maxAge, tkg:ageUnit)) } ORDER BY ?p"""
    assert (
        select(from_xml, age)
        == select(from_json, age)
        == [
            ("ageUnit", "UO_0000036"),
            ("maxAge", "90.0"),
            ("medianAge", "52.0"),
            ("minAge", "22.0"),
        ]
    )  # PALLAS's baseline table: median 52 years, 22 to 90
    pointers = select(
        from_xml,
        "SELECT ?v WHERE { ?s a <http://www.w3.org/ns/oa#XPathSelector> ;"
        " <http://www.w3.org/1999/02/22-rdf-syntax-ns#value> ?v }",
    )
    assert any(v[0].endswith("/measurement_list/measurement[1]/@value") for v in pointers)
    assert any("/reported_events/serious_events/category_list/category[2]/" in v[0]
               for v in pointers)  # fmt: skip
    assert not any("Total" in s for s in report.skipped)


def test_an_intervention_name_finds_the_longest_lexicon_term_in_it() -> None:
    from trialkg.triples.ctgov import Context

    ctx = Context(
        {},
        {"ai": "aromatase-inhibitor", "letrozole": "letrozole", "letrozole xr": "letrozole-xr"},
    )
    assert ctx.drug_named("ai") == "aromatase-inhibitor"  # a whole name: any length
    assert ctx.drug_named("ai 2.5 mg") is None  # a part: more than three characters only
    assert ctx.drug_named("letrozole xr 2.5 mg") == "letrozole-xr"  # the longest term
    assert ctx.drug_named("oral letrozole") == "letrozole"
    assert ctx.drug_named("letrozoles") is None  # a word, not a prefix
    assert ctx.drug_named("letrozole xr 2.5 mg") == "letrozole-xr"  # remembered, the same
    assert Context({}, {}).drug_named("letrozole") is None


def pallas_json(few_events: bool = True) -> dict[str, Any]:
    """PALLAS's API v2 record as JSON; with ``few_events``, its first two adverse events of
    each kind only (of 2,029: the mapping and the checks take a tenth of the time)."""
    data: dict[str, Any] = json.loads((CTGOV / "NCT02513394.json").read_text(encoding="utf-8"))
    if few_events:
        events = data["resultsSection"]["adverseEventsModule"]
        events["seriousEvents"] = events["seriousEvents"][:2]
        events["otherEvents"] = events["otherEvents"][:2]
    return data


def select(graph: Graph, query: str) -> list[tuple[str, ...]]:
    """The rows of a SELECT on ``graph``, each term as the last part of its IRI (after the
    last ``/`` or ``#``) or its literal's text."""
    prefixes = (
        "PREFIX tkg: <https://w3id.org/trialkg/ontology#>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    )
    return [
        tuple(re.split(r"[/#](?=[^/#]*$)", str(t))[-1] if isinstance(t, URIRef) else str(t)
              for t in row)  # type: ignore[union-attr]
        for row in graph.query(prefixes + query)
    ]  # fmt: skip


def mapped(tmp_path: Path, data: dict[str, Any]) -> tuple[Graph, ImportReport]:
    """The assertion graph and report of a record written from ``data``; fails on any
    SHACL violation (the importer would leave the record out)."""
    variant = tmp_path / "NCT02513394.json"
    variant.write_text(json.dumps(data), encoding="utf-8")
    return registry_graph(variant)


def mapped_legacy(tmp_path: Path, data: dict[str, Any]) -> tuple[Graph, ImportReport]:
    """As :func:`mapped`, from PALLAS's legacy XML with the results of ``data`` written as
    the legacy XML writes them."""
    xml = (CTGOV / "NCT02513394.xml").read_text(encoding="utf-8")
    legacy = tmp_path / "legacy" / "NCT02513394.xml"
    legacy.parent.mkdir()
    legacy.write_text(
        xml.replace("</clinical_study>", legacy_results(data) + "</clinical_study>"),
        encoding="utf-8",
    )
    return registry_graph(legacy)


def registry_graph(path: Path) -> tuple[Graph, ImportReport]:
    """The assertion graph and report of the record in ``path``, as the importer maps it;
    fails on any SHACL violation (the importer would leave the record out)."""
    from trialkg.importer import validate_registry_graph
    from trialkg.records.loader import load_reference
    from trialkg.triples.ctgov import Context, registry_graphs
    from trialkg.triples.curated import reference_graph

    _, graph, _, report = registry_graphs(read_record(path), Context.from_records(records_dir()))
    reference = reference_graph(load_reference(records_dir() / "reference.yaml")[0])
    assert validate_registry_graph(graph, reference, str(path)) == []
    return graph, report


def test_several_analyses_of_two_arms_and_a_value_not_reached(tmp_path: Path) -> None:
    """Registries often give two analyses of the same two arms (unstratified and stratified,
    or a second test): each is its own comparison. A value "NA" that is no median (here a
    percentage "not reached") is reported with the record's comment, not dropped unseen."""
    data = pallas_json()
    idfs = data["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"][0]
    second = dict(idfs["analyses"][0], paramValue="0.93", pValue="<0.001", ciPctValue="90")
    idfs["analyses"].append(second)
    hours = data["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"][4]
    hours.update(title="Time to first dose", paramType="MEDIAN", unitOfMeasure="Hours")
    hours.pop("analyses", None)
    cell = idfs["classes"][0]["categories"][0]["measurements"][1]
    cell.update(value="NA", comment="Not reached")
    graph, report = mapped(tmp_path, data)
    got = select(
        graph,
        """SELECT ?c ?p ?op ?hr ?level WHERE {
          ?c a tkg:Comparison ; tkg:pValue ?p ; tkg:pValueComparator ?op .
          ?e tkg:estimateOf ?c ; tkg:value ?hr ; tkg:ciLevel ?level .
          FILTER (CONTAINS(STR(?c), "/comparison/invasive-disease-free-survival"))
        } ORDER BY ?c""",
    )
    assert got == [
        ("arm-a-vs-arm-b", "0.65", "=", "0.96", "0.95"),
        ("analysis-2", "0.001", "<", "0.93", "0.9"),
    ]
    in_hours = select(
        graph,
        """SELECT ?v WHERE { ?r tkg:measure tkg:Median ; tkg:value ?v ;
                             tkg:unit <http://purl.obolibrary.org/obo/UO_0000032> }""",
    )
    assert len(in_hours) == 2  # one per arm; "Hours" was once an unknown unit, left out
    assert any(
        "'NA' is not a number (Not reached)" in s and "/measurements/1/value" in s
        for s in report.skipped
    ), report.skipped


def not_reached_record() -> dict[str, Any]:
    """PALLAS's record with a median overall survival not reached in one arm (its CI's upper
    bound too), a CI upper bound not estimable in the other, a hazard ratio whose CI's upper
    bound is not estimable, and figures "NA" the mapping cannot place: one with no comment,
    a percentage "not reached", a bound whose comment says neither."""
    data = pallas_json()
    outcomes = data["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]

    def outcome(title: str, param: str, unit: str, cells: list[dict[str, str]],
                analyses: Sequence[dict[str, Any]] = ()) -> None:  # fmt: skip
        om = copy.deepcopy(outcomes[4])
        om.update(title=title, paramType=param, unitOfMeasure=unit,
                  dispersionType="CONFIDENCE_95", analyses=list(analyses))  # fmt: skip
        om["classes"][0]["categories"][0]["measurements"] = [
            dict(cell, groupId=f"OG00{i}") for i, cell in enumerate(cells)
        ]
        outcomes.append(om)

    outcome("Median Overall Survival", "MEDIAN", "months",
            [{"value": "NA", "lowerLimit": "28.4", "upperLimit": "NA",
              "comment": "NA = median and upper limit of the 95% CI not reached"},
             {"value": "31.2", "lowerLimit": "25.0", "upperLimit": "NA",
              "comment": "Upper limit not estimable due to an insufficient number of events"}],
            [{"groupIds": ["OG000", "OG001"], "paramType": "Hazard Ratio (HR)",
              "paramValue": "0.72", "ciPctValue": "95", "ciNumSides": "TWO_SIDED",
              "ciLowerLimit": "0.55", "ciUpperLimit": "NA",
              "ciUpperLimitComment": "Not estimable: too few events"}])  # fmt: skip
    outcome("Median Time to Deterioration", "MEDIAN", "months",
            [{"value": "NA"}, {"value": "8.1", "lowerLimit": "NA", "upperLimit": "9.9",
                                "comment": "lower limit not collected"}])  # fmt: skip
    outcome("Patients Alive at 10 Years", "NUMBER", "percentage of participants",
            [{"value": "NA", "comment": "not reached"}, {"value": "81.0"}])  # fmt: skip
    return data


FIGURES_OR_STATUSES = """SELECT ?label ?v ?lo ?hi ?level WHERE {
      ?r a tkg:Result ; rdfs:label ?label ;
         tkg:forEndpoint/rdfs:label ?ep .
      FILTER (STRSTARTS(?ep, "Median") || STRSTARTS(?ep, "Patients Alive"))
      OPTIONAL { ?r tkg:value ?value }
      OPTIONAL { ?r tkg:valueStatus ?status }
      OPTIONAL { ?r tkg:ciLower ?l } OPTIONAL { ?r tkg:ciLowerStatus ?ls }
      OPTIONAL { ?r tkg:ciUpper ?u } OPTIONAL { ?r tkg:ciUpperStatus ?us }
      OPTIONAL { ?r tkg:ciLevel ?level }
      BIND (COALESCE(STR(?value), STR(?status)) AS ?v)
      BIND (COALESCE(STR(?l), STR(?ls)) AS ?lo)
      BIND (COALESCE(STR(?u), STR(?us)) AS ?hi)
      FILTER (BOUND(?v) || BOUND(?lo))
    } ORDER BY ?label"""


def test_a_median_not_reached_and_a_bound_not_estimable(tmp_path: Path) -> None:
    """A registry gives a median survival not reached, or a CI bound not estimable, as "NA"
    with a comment saying so: the result is kept with ``tkg:valueStatus`` (and
    ``tkg:ciLowerStatus``/``tkg:ciUpperStatus``), its evidence the record's words. "NA" with
    no reason, or "not reached" for what is no median, is reported as before."""
    graph, report = mapped(tmp_path, not_reached_record())
    ontology = "https://w3id.org/trialkg/ontology#"
    arm_a, arm_b = "Palbociclib Plus Endocrine Therapy (Arm A)", "Endocrine Therapy Alone (Arm B)"
    no = "None"
    got = [
        tuple(x.replace(ontology, "") for x in row) for row in select(graph, FIGURES_OR_STATUSES)
    ]
    assert got == [
        ("Median Overall Survival: Hazard Ratio (HR), arm-a vs arm-b", "0.72", "0.55",
         "NotEstimable", "0.95"),
        (f"Median Overall Survival: median, {arm_b}", "31.2", "25.0", "NotEstimable", "0.95"),
        (f"Median Overall Survival: median, {arm_a}", "NotReached", "28.4", "NotReached", "0.95"),
        (f"Median Time to Deterioration: median, {arm_b}", "8.1", no, no, no),
        (f"Patients Alive at 10 Years: percentage, {arm_b}", "81.0", no, no, no),
    ]  # fmt: skip
    # each status has evidence: the figure as stated ("NA") and the comment that says why
    quotes = select(
        graph,
        """SELECT ?quote WHERE {
          ?r tkg:valueStatus tkg:NotReached ; tkg:hasEvidence ?e .
          ?e tkg:aboutProperty tkg:valueStatus ; tkg:quote ?quote } ORDER BY ?quote""",
    )
    assert quotes == [("NA",), ("NA = median and upper limit of the 95% CI not reached",)]
    notes = "\n".join(report.skipped)
    for expected in [
        "'Median Time to Deterioration', 'Palbociclib Plus Endocrine Therapy (Arm A)'",
        "the confidence interval has lower 'NA', upper '9.9'; not mapped",
        "'NA' is not a number (not reached)",
    ]:
        assert expected in notes, notes


def test_legacy_xml_gives_the_same_values_not_reached(tmp_path: Path) -> None:
    """In the legacy XML the measurement element's text says why a figure is "NA", and
    ``ci_upper_limit_na_comment`` why an analysis's upper bound is: the same statuses."""
    data = not_reached_record()
    from_json, json_report = mapped(tmp_path, data)
    from_xml, xml_report = mapped_legacy(tmp_path, data)
    assert select(from_xml, FIGURES_OR_STATUSES) == select(from_json, FIGURES_OR_STATUSES)
    statuses = select(from_xml, "SELECT ?r WHERE { ?r tkg:valueStatus|tkg:ciUpperStatus ?s }")
    assert len(statuses) == 4
    assert len(xml_report.skipped) == len(json_report.skipped)


@pytest.mark.parametrize("legacy", [False, True], ids=["api-v2", "legacy-xml"])
def test_the_tested_hypothesis_of_an_analysis(tmp_path: Path, legacy: bool) -> None:
    """Each analysis names what its test sets out to show: PALLAS's own say "OTHER"; a
    non-inferiority test keeps its type, and its comment (the margin, in words) is part of
    the comparison's note. An unknown type is reported."""
    data = pallas_json()
    outcomes = data["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]
    first, second = outcomes[0]["analyses"][0], outcomes[2]["analyses"][0]
    first.update(nonInferiorityType="NON_INFERIORITY",
                 nonInferiorityComment="Margin: hazard ratio 1.3")  # fmt: skip
    second.update(nonInferiorityType="SUPERIORITY_BY_A_MILE")
    graph, report = (mapped_legacy if legacy else mapped)(tmp_path, data)
    got = select(
        graph,
        """SELECT ?h (COUNT(?c) AS ?n) WHERE { ?c a tkg:Comparison ; tkg:hypothesis ?h }
           GROUP BY ?h ORDER BY ?h""",
    )
    assert got == [("NonInferiority", "1"), ("OtherHypothesis", "3")]
    notes = select(graph, "SELECT ?n WHERE { ?c tkg:hypothesis tkg:NonInferiority ; tkg:note ?n }")
    assert len(notes) == 1 and notes[0][0].endswith("Margin: hazard ratio 1.3")
    assert any(
        "tested hypothesis 'SUPERIORITY_BY_A_MILE' is not known" in r for r in report.skipped
    )


def test_an_outcome_title_given_twice_is_two_endpoints(tmp_path: Path) -> None:
    """The same measure twice (another subgroup, declared once as primary and once as
    secondary) is two endpoints; merged, their values clashed and the record was left out."""
    data = pallas_json()
    outcomes = data["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]
    again = copy.deepcopy(outcomes[3])  # "Overall Survival (OS)", the same time frame
    for cell in again["classes"][0]["categories"][0]["measurements"]:
        cell["value"] = "77.7"
    outcomes.append(again)
    declared = data["protocolSection"]["outcomesModule"]
    title = outcomes[3]["title"]
    assert [o["measure"] for o in declared["secondaryOutcomes"]].count(title) == 1
    declared["primaryOutcomes"].append({"measure": title, "timeFrame": "5 years"})
    graph, _ = mapped(tmp_path, data)
    got = select(
        graph,
        """SELECT ?e ?label ?role (GROUP_CONCAT(STR(?v); separator=" ") AS ?values) WHERE {
          ?e a tkg:Endpoint ; rdfs:label ?label ; tkg:endpointRole ?role .
          FILTER (STRSTARTS(?label, "Overall Survival (OS)"))
          OPTIONAL { ?r a tkg:ArmResult ; tkg:forEndpoint ?e ; tkg:value ?v }
        } GROUP BY ?e ?label ?role ORDER BY ?e""",
    )
    # the declared primary comes first; each result goes to the declared outcome of its
    # title and role first (the registry's own secondary), the repeat to the one left
    assert [g[:3] for g in got] == [
        ("overall-survival-os", "Overall Survival (OS) (PALLAS)", "PrimaryEndpoint"),
        ("overall-survival-os-2", "Overall Survival (OS) (PALLAS, measure 2)", "SecondaryEndpoint"),
    ]
    assert got[0][3] == "77.7 77.7" and "77.7" not in got[1][3] and got[1][3]


def test_an_adverse_event_listed_twice_is_two_rows(tmp_path: Path) -> None:
    """A term listed again under another organ system keeps its own counts (merged, they
    clashed and the record was left out); a count for an unknown group is reported."""
    data = pallas_json()
    ae = data["resultsSection"]["adverseEventsModule"]
    again = copy.deepcopy(ae["seriousEvents"][0])  # Anaemia
    again["organSystem"] = "Investigations"
    for stat in again["stats"]:
        stat["numAffected"] = 99
    again["stats"].append({"groupId": "EG009", "numAffected": 1, "numAtRisk": 5})
    ae["seriousEvents"].append(again)
    graph, report = mapped(tmp_path, data)
    got = select(
        graph,
        """SELECT ?event ?n WHERE {
          ?r a tkg:AdverseEventResult ; tkg:patientCount ?n ; tkg:seriousEvent true .
          BIND (STRAFTER(STR(?r), "/adverse-event/arm-a/") AS ?event)
          FILTER (REGEX(?event, "^anaemia(-2)?/"))
        } ORDER BY ?event""",
    )
    first = str(ae["seriousEvents"][0]["stats"][0]["numAffected"])
    assert got == [
        ("anaemia-2/grade-not-stated/serious", "99"),
        ("anaemia/grade-not-stated/serious", first),
    ]
    assert any("group 'EG009' is not one of the adverse-event groups" in s for s in report.skipped)


@pytest.mark.parametrize(
    ("labels", "groups", "arms"),
    [  # "A" is in "Arm B", but not as a word
        ({"Arm A": "A", "Arm B": "B"}, ("Arm A", "Arm B"), ["a", "b"]),
        ({"Arm A": "Arm A", "Arm B": "arm a"}, ("Arm A", "arm a"), ["arm-a", "arm-a-2"]),
    ],
)
def test_results_groups_find_their_own_arms(
    tmp_path: Path, labels: dict[str, str], groups: tuple[str, str], arms: list[str]
) -> None:
    data = pallas_json()
    module = data["protocolSection"]["armsInterventionsModule"]
    for arm in module["armGroups"]:
        arm["label"] = labels[arm["label"]]
    for itv in module["interventions"]:
        itv["armGroupLabels"] = [labels.get(x, x) for x in itv.get("armGroupLabels", [])]
    first, second = labels.values()
    for outcome in data["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]:
        for group in outcome["groups"]:
            group["title"] = groups[0] if group["id"] == "OG000" else groups[1]
    graph, _ = mapped(tmp_path, data)
    got = select(
        graph,
        """SELECT ?arm (COUNT(DISTINCT ?r) AS ?results) (SAMPLE(?label) AS ?l) WHERE {
          ?arm a tkg:Arm ; rdfs:label ?label . ?r a tkg:ArmResult ; tkg:forArm ?arm .
        } GROUP BY ?arm ORDER BY ?arm""",
    )
    assert got == [(arms[0], got[0][1], first), (arms[1], got[0][1], second)]
    assert int(got[0][1]) > 0  # as many results each


def test_changes_and_differences_below_zero_and_values_in_units_of_their_own(
    tmp_path: Path,
) -> None:
    """A mean percent change and a risk difference below 0 are kept (a percentage range
    check refused the whole record); an outcome in a unit outside the vocabulary keeps its
    values, in a unit of its own, and its analyses; a mean difference takes its outcome's
    unit."""
    data = pallas_json()
    outcomes = data["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]
    change = copy.deepcopy(outcomes[4])
    for cell in change["classes"][0]["categories"][0]["measurements"]:
        cell.update(value="-35.2", lowerLimit="-40.1", upperLimit="-30.3")

    def outcome(title: str, unit: str, statistic: str, *figures: str) -> dict[str, Any]:
        """The changes in ``unit``, with one analysis: ``statistic``, value, CI."""
        value, low, high = figures
        analysis = {"groupIds": ["OG000", "OG001"], "ciPctValue": "95", "paramType": statistic,
                    "paramValue": value, "ciLowerLimit": low, "ciUpperLimit": high}  # fmt: skip
        return dict(change, title=title, paramType="MEAN", unitOfMeasure=unit, analyses=[analysis])

    change = outcome("Percent Change in Tumour Size", "percent change",
                     "Mean Difference (Final Values)", "-4.1", "-8.0", "-0.2")  # fmt: skip
    scale = outcome("Global Health Score", "units on a scale",
                    "Risk Difference (RD)", "-5.2", "-9.1", "-1.3")  # fmt: skip
    outcomes += [change, scale]
    graph, report = mapped(tmp_path, data)
    got = select(
        graph,
        """SELECT ?kind ?v ?unit WHERE {
          ?r tkg:value ?v ; a ?kind .
          OPTIONAL { ?r tkg:unit ?unit }
          FILTER (?kind IN (tkg:ArmResult, tkg:RateDifference, tkg:MeanDifference))
          FILTER (?v < 0)
        } ORDER BY ?kind ?v""",
    )
    assert got == [
        ("ArmResult", "-35.2", "UO_0000187"),
        ("ArmResult", "-35.2", "UO_0000187"),
        ("ArmResult", "-35.2", "units-on-a-scale"),
        ("ArmResult", "-35.2", "units-on-a-scale"),
        ("MeanDifference", "-4.1", "UO_0000187"),
        ("RateDifference", "-5.2", "UO_0000187"),
    ]
    assert report.new_units == ["units on a scale"]
    assert select(graph, "SELECT ?l WHERE { ?u a tkg:Unit ; rdfs:label ?l }") == [
        ("units on a scale",)
    ]


def test_analyses_with_p_values_in_other_forms_or_no_number(tmp_path: Path) -> None:
    """'<.001' and '1.2E-5' are p-values; an analysis that states no number it can map, or
    compares two groups of one arm, is reported (before, it left the record out whole)."""
    data = pallas_json()
    outcome = data["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"][1]
    pair = {"groupIds": ["OG000", "OG001"], "statisticalMethod": "Log Rank"}
    outcome["analyses"] = [
        dict(pair, pValue="NA"),
        dict(pair, pValue="0.5 (one-sided)"),
        dict(pair, pValue="<.001"),
        dict(pair, pValue="1.2E-5"),
    ]
    outcome["analyses"].append({"groupIds": ["OG000", "OG000"], "pValue": "0.2"})
    graph, report = mapped(tmp_path, data)
    got = select(
        graph,
        """SELECT ?c ?op ?p WHERE { ?c tkg:pValue ?p ; tkg:pValueComparator ?op .
          FILTER (CONTAINS(STR(?c), "idfs-excluding")) } ORDER BY ?c""",
    )
    assert got == [("arm-a-vs-arm-b", "<", "0.001"), ("analysis-2", "=", "0.000012")]
    skipped = [s for s in report.skipped if s.startswith("analysis of")]
    assert len(skipped) == 3 and "no number to map (it states nothing)" in skipped[0]
    assert "no number to map (it states 0.5 (one-sided))" in skipped[1]
    assert "are both arm 'arm-a'" in skipped[2]


def test_a_placebo_is_not_a_drug_even_when_named_after_one(tmp_path: Path) -> None:
    """'Placebo' and 'Placebo for palbociclib' are no regimen component (the arm's role says
    placebo): neither a new drug called placebo nor palbociclib in the control arm."""
    data = pallas_json()
    module = data["protocolSection"]["armsInterventionsModule"]
    module["armGroups"][1]["type"] = "PLACEBO_COMPARATOR"
    module["interventions"] += [
        {"type": "DRUG", "name": "Placebo", "armGroupLabels": ["Arm B"]},
        {"type": "DRUG", "name": "Placebo for palbociclib", "armGroupLabels": ["Arm B"]},
    ]
    graph, report = mapped(tmp_path, data)
    got = select(
        graph,
        """SELECT ?arm ?drug WHERE {
          ?arm tkg:hasRegimen/tkg:hasComponent ?drug } ORDER BY ?arm ?drug""",
    )
    assert ("arm-b", "palbociclib") not in got and ("arm-a", "palbociclib") in got
    assert not [d for _, d in got if "placebo" in d]
    assert "Placebo" not in report.new_drugs
    assert "DRUG: Placebo for palbociclib (a placebo, not a drug)" in report.not_drugs


def test_other_pre_specified_outcomes_are_exploratory_and_sham_is_placebo(
    tmp_path: Path,
) -> None:
    data = pallas_json()
    outcomes = data["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]
    outcomes[4].update(type="POST_HOC", title="Locoregional recurrences, post hoc")
    data["protocolSection"]["outcomesModule"]["otherOutcomes"] = [
        {"measure": "Quality of life", "timeFrame": "2 years"}
    ]
    data["protocolSection"]["armsInterventionsModule"]["armGroups"][1]["type"] = "SHAM_COMPARATOR"
    graph, _ = mapped(tmp_path, data)
    roles = select(
        graph,
        """SELECT ?label ?role WHERE { ?e a tkg:Endpoint ; rdfs:label ?label ;
             tkg:endpointRole ?role .
             FILTER (REGEX(?label, "^(Quality|Locoregional recurrences, post)")) }
           ORDER BY ?label""",
    )
    assert [r[1] for r in roles] == ["ExploratoryEndpoint", "ExploratoryEndpoint"]
    arm_roles = select(graph, "SELECT ?a ?r WHERE { ?a tkg:armRole ?r } ORDER BY ?a")
    assert arm_roles == [("arm-a", "ExperimentalArm"), ("arm-b", "PlaceboComparatorArm")]


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("ORR per RECIST 1.1", "objective-response"),
        ("Median PFS by Investigator", "pfs"),
        ("PFS2", "pfs2"),
        ("OS at 5 Years", "os"),
        ("Number of Doses Received", "other"),  # "os" inside a word is no endpoint
        ("Disease-free Survival (DFS)", "other"),  # not invasive DFS
        ("IDFS Rate", "idfs"),
        ("Participants With TEAEs", "safety"),
    ],
)
def test_an_outcome_title_names_its_endpoint_kind(title: str, kind: str) -> None:
    from trialkg.triples.ctgov import endpoint_kind

    assert endpoint_kind(title) == kind


def test_an_intervention_known_by_another_name_is_that_drug(tmp_path: Path) -> None:
    data = pallas_json()
    module = data["protocolSection"]["armsInterventionsModule"]
    (palbociclib,) = [i for i in module["interventions"] if i["name"] == "Palbociclib"]
    palbociclib.update(name="CDK inhibitor study tablet", otherNames=["PF-X", "Palbociclib"])
    graph, report = mapped(tmp_path, data)
    components = select(graph, "SELECT ?c WHERE { ?r tkg:hasComponent ?c } ORDER BY ?c")
    assert ("palbociclib",) in components and not report.new_drugs


def test_category_rows_are_results_of_their_own(tmp_path: Path) -> None:
    """An outcome's table with a row per category (response categories, visits) gives one
    arm-level result per arm and category, named by its category; they were left out."""
    data = pallas_json()
    outcome = data["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"][4]
    outcome.update(
        title="Best Overall Response",
        paramType="COUNT_OF_PARTICIPANTS",
        unitOfMeasure="Participants",
        classes=[
            {"categories": [
                {"title": title, "measurements": [
                    {"groupId": "OG000", "value": a}, {"groupId": "OG001", "value": b}]}
                for title, a, b in (("Complete Response", "5", "1"),
                                    ("Partial Response", "40", "12"),
                                    ("Partial response!", "2", "3"))  # the same slug
            ]}
        ],
    )  # fmt: skip
    outcome.pop("analyses", None)
    graph, report = mapped(tmp_path, data)
    got = select(
        graph,
        """SELECT ?r ?category ?n WHERE {
          ?r a tkg:ArmResult ; tkg:category ?category ; tkg:value ?n ;
             tkg:forArm/rdfs:label "Arm A" } ORDER BY ?r""",
    )
    assert got == [
        ("complete-response", "Complete Response", "5.0"),
        ("partial-response", "Partial Response", "40.0"),
        ("partial-response-2", "Partial response!", "2.0"),
    ]
    assert not [s for s in report.skipped if "Best Overall Response" in s]


def test_groups_that_are_parts_of_one_arm_are_arms_of_their_own(tmp_path: Path) -> None:
    """Flow and adverse-event groups that are cohorts of one arm ("Arm A, cohort 1" and
    "..., cohort 2") are arms of their own, each with its counts (two counts on one arm
    made the record fail validation)."""
    data = pallas_json()
    results = data["resultsSection"]
    for groups in (results["participantFlowModule"]["groups"],
                   results["adverseEventsModule"]["eventGroups"]):  # fmt: skip
        groups[0]["title"], groups[1]["title"] = "Arm A, cohort 1", "Arm A, cohort 2"
    graph, report = mapped(tmp_path, data)
    started = select(graph, "SELECT ?a ?n WHERE { ?a tkg:numberOfPatients ?n } ORDER BY ?a")
    counts = [
        str(a["numSubjects"])
        for a in results["participantFlowModule"]["periods"][0]["milestones"][0]["achievements"]
    ]
    assert started == [("arm-a-cohort-1", counts[0]), ("arm-a-cohort-2", counts[1])]
    events = select(
        graph,
        """SELECT ?arm (COUNT(?r) AS ?n) WHERE { ?r a tkg:AdverseEventResult ; tkg:forArm ?arm }
           GROUP BY ?arm ORDER BY ?arm""",
    )
    assert [a for a, _ in events] == ["arm-a-cohort-1", "arm-a-cohort-2"]
    assert not [s for s in report.skipped if "again" in s or "second count" in s]


def test_the_publications_a_record_lists_meet_the_curated_ones(tmp_path: Path) -> None:
    """A reference with a PubMed id is a document with its PMID and the DOI of its citation;
    one whose DOI a curated source gives is that publication; a RESULT reports the study."""
    data = pallas_json()
    data["protocolSection"]["referencesModule"]["references"] = [
        {"pmid": "41000001", "type": "RESULT",
         "citation": "Metzger O, et al. N Engl J Med. 2026. doi: 10.1056/NEJMoa2511218."},
        {"pmid": "30032196", "type": "BACKGROUND", "citation": "Someone. J Natl Cancer Inst."},
        {"type": "BACKGROUND", "citation": "No PubMed id: not a document of its own."},
    ]  # fmt: skip
    graph, _ = mapped(tmp_path, data)
    got = select(
        graph,
        """SELECT ?doc ?pmid ?reports WHERE { ?doc tkg:pmid ?pmid .
             BIND (EXISTS { ?study tkg:reportedIn ?doc } AS ?reports) } ORDER BY ?pmid""",
    )
    assert got == [
        ("pmid-30032196", "30032196", "false"),
        ("metzger-2026-nejm", "41000001", "true"),
    ]
    from trialkg.triples.ctgov import Context, registry_graphs

    variant = tmp_path / "NCT02513394.json"
    prov = registry_graphs(read_record(variant), Context.from_records(records_dir()))[2]
    assert len(select(prov, "SELECT ?d WHERE { ?s tkg:cites ?d }")) == 2
    xml = (
        (CTGOV / "NCT02513394.xml")
        .read_text(encoding="utf-8")
        .replace(
            "</clinical_study>",
            "<results_reference><citation>A report.</citation><PMID>41000001</PMID>"
            "</results_reference></clinical_study>",
        )
    )
    legacy = tmp_path / "NCT02513394.xml"
    legacy.write_text(xml, encoding="utf-8")
    (ref,) = read_record(legacy).references
    assert (ref.pmid.text, ref.pmid.pointer, ref.kind) == (
        "41000001", "/clinical_study/results_reference[1]/PMID", "RESULT"
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("CONFIDENCE_95", ("ci", "0.95")),
        ("CONFIDENCE_975", ("ci", "0.975")),
        ("CONFIDENCE_90", ("ci", "0.90")),
        ("CONFIDENCE_OTHER", ("ci", "")),
        ("97.5% Confidence Interval", ("ci", "0.975")),
        ("Confidence Interval", ("ci", "")),
        ("STANDARD_DEVIATION", ("spread", "standard deviation")),
        ("Standard Error", ("spread", "standard error")),
        ("STANDARD_ERROR_OF_MEAN", ("spread", "standard error")),
        ("Standard Error of the Mean", ("spread", "standard error")),
        ("Geometric Coefficient of Variation", ("spread", "geometric coefficient of variation")),
        ("Inter-Quartile Range", ("limits", "inter-quartile range")),
        ("FULL_RANGE", ("limits", "full range")),
        ("NA", ("", "")),
        ("", ("", "")),
    ],
)
def test_a_dispersion_type_names_its_kind_and_level(text: str, kind: tuple[str, str]) -> None:
    from trialkg.triples.ctgov import dispersion_kind

    assert dispersion_kind(text) == kind


@pytest.mark.parametrize(
    ("param", "statistic"),
    [
        ("Hazard Ratio (HR)", "hazard-ratio"),
        ("Log Hazard Ratio", None),
        ("Odds Ratio (OR), Log", None),
        ("Difference of Least Square (LS) Means", "mean-difference"),
        ("LS Mean Difference", "mean-difference"),
        ("MEAN_DIFFERENCE", "mean-difference"),
        ("Risk Difference (RD)", "rate-difference"),
        ("Difference in response rates", "rate-difference"),
        ("Median Difference (Final Values)", None),
        ("Slope", None),
    ],
)
def test_an_analysis_parameter_names_its_statistic(param: str, statistic: str | None) -> None:
    from trialkg.triples.ctgov import statistic_kind

    assert statistic_kind(param) == statistic


def dispersions_record() -> dict[str, Any]:
    """PALLAS's record with four more outcomes: values with a 90% CI (one without its upper
    bound), standard deviations, inter-quartile ranges and CIs of a level not stated (some
    of them wrong), and analyses of a mean difference with its standard error, a log hazard
    ratio, a hazard ratio whose CI reaches 0 and an odds ratio of 0."""
    data = pallas_json()
    outcomes = data["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]
    base = outcomes[4]

    def outcome(
        title: str,
        param: str,
        unit: str,
        dispersion: str,
        cells: list[dict[str, str]],
        analyses: Sequence[dict[str, Any]] = (),
    ) -> None:
        om = copy.deepcopy(base)
        om.update(title=title, paramType=param, unitOfMeasure=unit, dispersionType=dispersion,
                  analyses=list(analyses))  # fmt: skip
        om["classes"][0]["categories"][0]["measurements"] = [
            dict(cell, groupId=f"OG00{i}") for i, cell in enumerate(cells)
        ]
        outcomes.append(om)

    def analysis(param: str, value: str, low: str, high: str, **more: str) -> dict[str, Any]:
        return {"groupIds": ["OG000", "OG001"], "paramType": param, "paramValue": value,
                "ciPctValue": more.pop("pct", "95"), "ciLowerLimit": low, "ciUpperLimit": high,
                **more}  # fmt: skip

    outcome("Time to Response", "MEDIAN", "months", "CONFIDENCE_90",
            [{"value": "5.1", "lowerLimit": "4.0", "upperLimit": "6.3"},
             {"value": "5.5", "lowerLimit": "4.4", "upperLimit": "NA",
              "comment": "upper limit not available"}],
            [analysis("Difference of Least Square (LS) Means", "-0.4", "-1.2", "0.4", pct="90",
                      dispersionType="STANDARD_ERROR_OF_MEAN", dispersionValue="0.3",
                      statisticalComment="ANCOVA,  adjusted for region",
                      estimateComment="Arm A minus arm B."),
             analysis("Log Hazard Ratio", "-0.2", "-0.5", "0.1"),
             analysis("Hazard Ratio (HR)", "0.8", "0", "1.5"),
             analysis("Odds Ratio (OR)", "0", "0", "0.5")])  # fmt: skip
    outcome("Duration of Treatment", "MEAN", "days", "STANDARD_DEVIATION",
            [{"value": "84.0", "spread": "12.5"}, {"value": "80.5", "spread": "-1"}])  # fmt: skip
    outcome("Hospital Stay", "MEDIAN", "days", "INTER_QUARTILE_RANGE",
            [{"value": "6", "lowerLimit": "3", "upperLimit": "9"},
             {"value": "7", "lowerLimit": "9", "upperLimit": "4"}])  # fmt: skip
    outcome("Time to Onset", "MEDIAN", "weeks", "CONFIDENCE_OTHER",
            [{"value": "12", "lowerLimit": "11", "upperLimit": "14"},
             {"value": "10", "lowerLimit": "11", "upperLimit": "14"}])  # fmt: skip
    return data


def test_deviations_ranges_and_intervals_of_every_kind(tmp_path: Path) -> None:
    """Registries give a value with a standard deviation, an inter-quartile or full range,
    or a confidence interval at a stated level (90%, 97.5%) or at none: each is kept as what
    it is. An interval with one bound, one that does not hold its value, a negative
    deviation, a ratio's interval reaching 0 and a log-scale or non-positive ratio are
    reported, and the rest of the record is kept."""
    graph, report = mapped(tmp_path, dispersions_record())
    got = select(
        graph,
        """SELECT ?label ?v ?kind ?d ?lo ?hi ?level ?unit WHERE {
          ?r rdfs:label ?label ; tkg:value ?v .
          FILTER (REGEX(?label, "^(Time to|Duration|Hospital)"))
          OPTIONAL { ?r tkg:ciLower ?cl ; tkg:ciUpper ?ch }
          OPTIONAL { ?r tkg:lowerLimit ?ll ; tkg:upperLimit ?lh }
          OPTIONAL { ?r tkg:ciLevel ?level }
          OPTIONAL { ?r tkg:dispersion ?d }
          OPTIONAL { ?r tkg:dispersionType ?kind }
          OPTIONAL { ?r tkg:unit ?unit }
          BIND (COALESCE(?cl, ?ll) AS ?lo) BIND (COALESCE(?ch, ?lh) AS ?hi)
        } ORDER BY ?label""",
    )
    arm_a, arm_b = "Palbociclib Plus Endocrine Therapy (Arm A)", "Endocrine Therapy Alone (Arm B)"
    no = "None"
    assert got == [
        (f"Duration of Treatment: mean, {arm_b}", "80.5", no, no, no, no, no, "UO_0000033"),
        (f"Duration of Treatment: mean, {arm_a}", "84.0", "standard deviation", "12.5", no, no,
         no, "UO_0000033"),
        (f"Hospital Stay: median, {arm_b}", "7.0", no, no, no, no, no, "UO_0000033"),
        (f"Hospital Stay: median, {arm_a}", "6.0", "inter-quartile range", no, "3.0", "9.0", no,
         "UO_0000033"),
        (f"Time to Onset: median, {arm_b}", "10.0", no, no, no, no, no, "UO_0000034"),
        (f"Time to Onset: median, {arm_a}", "12.0", no, no, "11.0", "14.0", no, "UO_0000034"),
        ("Time to Response: Difference of Least Square (LS) Means, arm-a vs arm-b", "-0.4",
         "standard error", "0.3", "-1.2", "0.4", "0.9", "UO_0000035"),
        ("Time to Response: Hazard Ratio (HR), arm-a vs arm-b (analysis 3)", "0.8", no, no, no,
         no, no, no),
        (f"Time to Response: median, {arm_b}", "5.5", no, no, no, no, no, "UO_0000035"),
        (f"Time to Response: median, {arm_a}", "5.1", no, no, "4.0", "6.3", "0.9", "UO_0000035"),
    ]  # fmt: skip
    # the record's comments on an analysis, in its words, on the comparison
    notes = "SELECT ?n WHERE { ?e a tkg:MeanDifference ; tkg:estimateOf ?c . ?c tkg:note ?n }"
    assert select(graph, notes) == [("ANCOVA, adjusted for region Arm A minus arm B.",)]
    notes = "\n".join(report.skipped)
    for expected in [
        "the confidence interval has lower '4.4', upper 'NA'; not mapped",
        "'-1' is not a standard deviation",
        "the inter-quartile range [9, 4] is not mapped: its lower bound is above its upper",
        "the confidence interval [11, 14] is not mapped: the value 10 lies outside it",
        "the confidence interval [0, 1.5] is not mapped: a ratio's interval must lie above 0",
        "Odds Ratio (OR) '0' is not above 0, as a ratio is",
        "statistic 'Log Hazard Ratio'",
    ]:
        assert expected in notes


def test_legacy_xml_gives_the_same_deviations_ranges_and_intervals(tmp_path: Path) -> None:
    """The legacy XML names dispersions in words ("90% Confidence Interval", "Standard
    Deviation", "Inter-Quartile Range"): the same figures as from API v2."""
    data = dispersions_record()
    from_json, json_report = mapped(tmp_path, data)
    from_xml, xml_report = mapped_legacy(tmp_path, data)
    figures = """SELECT ?r ?p ?v WHERE {
        ?r a tkg:Result ; ?p ?v .
        FILTER (?p IN (tkg:value, tkg:ciLower, tkg:ciUpper, tkg:ciLevel, tkg:dispersion,
                       tkg:dispersionType, tkg:lowerLimit, tkg:upperLimit))
      } ORDER BY ?r ?p ?v"""
    assert select(from_xml, figures) == select(from_json, figures)
    assert len(select(from_json, figures)) > 30
    assert len(xml_report.skipped) == len(json_report.skipped)


DOSES = """SELECT ?drug ?amount ?unit ?route ?quote ?pointer WHERE {
  ?arm tkg:hasRegimen ?reg . ?reg tkg:hasDosage ?d .
  ?d a tkg:Dosage ; tkg:dosageOf ?drug ; tkg:description ?text .
  OPTIONAL { ?d tkg:doseAmount ?amount ; tkg:doseUnit ?unit .
             ?ev tkg:evidenceFor ?d ; tkg:aboutProperty tkg:doseAmount ; tkg:quote ?quote ;
                 <http://www.w3.org/ns/oa#hasTarget>/<http://www.w3.org/ns/oa#hasSelector>/
                 <http://www.w3.org/1999/02/22-rdf-syntax-ns#value> ?pointer }
  OPTIONAL { ?d tkg:route ?route }
} ORDER BY ?drug"""


@pytest.mark.parametrize(
    ("file", "first", "second"),
    [
        ("NCT03377387.json", "/protocolSection/armsInterventionsModule/interventions/0/description",
         "/protocolSection/armsInterventionsModule/interventions/1/description"),
        ("NCT03377387.xml", "/clinical_study/intervention[1]/description",
         "/clinical_study/intervention[2]/description"),
    ],
)  # fmt: skip
def test_the_dose_and_route_an_intervention_description_states(
    file: str, first: str, second: str
) -> None:
    """Capecitabine "taken orally ... 1000mg BID" and neratinib "240 mg daily ... 240mg": one
    dose each (neratinib's stated twice), capecitabine's route; the description is kept as
    stated, the dose's words are its evidence, pointing at the description."""
    graph, _ = registry_graph(CTGOV / file)
    assert select(graph, DOSES) == [
        ("capecitabine", "1000.0", "UO_0000022", "OralRoute", "1000mg", first),
        ("neratinib", "240.0", "UO_0000022", "None", "240 mg", second),
    ]


def test_a_description_that_states_no_dose_or_route_makes_no_dosage() -> None:
    """ATOP's T-DM1: "an antibody-drug conjugate ... a targeted cancer therapy"."""
    graph, _ = registry_graph(CTGOV / "NCT03587740.xml")
    assert select(graph, "SELECT ?d WHERE { ?d a tkg:Dosage }") == []
    assert select(graph, "SELECT ?c WHERE { ?r tkg:hasComponent ?c }") != []


def test_a_dose_per_square_metre_is_reference_yamls_unit(tmp_path: Path) -> None:
    data = pallas_json()
    module = data["protocolSection"]["armsInterventionsModule"]
    (palbociclib,) = [i for i in module["interventions"] if i["name"] == "Palbociclib"]
    palbociclib["description"] = "Palbociclib 75 mg/m2 as an intravenous infusion every week"
    graph, _ = mapped(tmp_path, data)
    assert select(graph, DOSES) == [
        ("palbociclib", "75.0", "milligram-per-square-metre", "IntravenousRoute", "75 mg/m2",
         "/protocolSection/armsInterventionsModule/interventions/0/description"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "dose", "route"),
    [
        ("125 mg orally once daily", ("125 mg", "125", "mg"), "oral"),
        ("1,000 mg/m² twice daily p.o.", ("1,000 mg/m²", "1000", "mg/m²"), "oral"),
        ("8 mg/kg IV loading dose", ("8 mg/kg", "8", "mg/kg"), "intravenous"),
        ("letrozole 2.5 mg/day", None, None),  # a rate, not a dose per administration
        ("a 10 mg/mL solution given subcutaneously", None, "subcutaneous"),
        ("dose escalation: 75 mg, 100 mg, 125 mg", None, None),  # several doses
        ("240 mg, orally or intravenously", ("240 mg", "240", "mg"), None),  # two routes
        ("given on Day 1 of each 21-day cycle", None, None),
        ("for patients with stage IV disease, 100 mg PO daily", ("100 mg", "100", "mg"), "oral"),
        ("6 mg/kg IV every 3 weeks", ("6 mg/kg", "6", "mg/kg"), "intravenous"),
        ("400 mg SC once every 4 weeks", ("400 mg", "400", "mg"), "subcutaneous"),
        ("stage IV; 50 mg twice daily", ("50 mg", "50", "mg"), None),
    ],
)
def test_a_description_states_one_dose_and_one_route_or_none(
    text: str, dose: tuple[str, str, str] | None, route: str | None
) -> None:
    from trialkg.triples.ctgov import dose_in, route_in

    found = dose_in(text)
    assert (None if found is None else (found[0], str(found[1]), found[2])) == dose
    assert route_in(text) == route


@pytest.mark.parametrize(
    ("text", "schedule"),
    [
        ("125 mg orally once daily, days 1-21 of each 28-day cycle",
         "once daily, days 1-21 of each 28-day cycle"),
        ("6 mg/kg IV every 3 weeks", "every 3 weeks"),
        ("400 mg SC once every 4 weeks", "once every 4 weeks"),
        ("80 mg/m2 on days 1, 8 and 15 of a 28-day cycle", "on days 1, 8 and 15 of a 28-day cycle"),
        ("200 mg q12h", "q12h"),
        ("3 weeks on/1 week off", "3 weeks on/1 week off"),
        ("taken 7 days on and 7 days off. 1000mg BID.", "7 days on and 7 days off; BID"),
        ("given on Day 1 of each 21-day cycle", "on Day 1 of each 21-day cycle"),
        ("Patients are seen on Day 1 of Cycle 1.", None),  # a visit, not a dose
        ("8 mg/kg IV loading dose", None),
        ("for a total duration of 2 years", None),
    ],
)  # fmt: skip
def test_a_description_states_its_schedule_in_its_own_words(
    text: str, schedule: str | None
) -> None:
    from trialkg.triples.ctgov import schedule_in

    assert schedule_in(text) == schedule


SCHEDULES = """SELECT ?drug ?schedule WHERE {
  ?d a tkg:Dosage ; tkg:dosageOf ?drug ; tkg:dosingSchedule ?schedule .
} ORDER BY ?drug"""


def test_the_real_records_schedules(tmp_path: Path) -> None:
    graph, _ = registry_graph(CTGOV / "NCT03377387.json")
    assert select(graph, SCHEDULES) == [
        ("capecitabine", "7 days on and 7 days off; BID"),
        ("neratinib", "daily continuously"),
    ]
    graph, _ = mapped(tmp_path, pallas_json())  # arm A's description: palbociclib's
    assert select(graph, SCHEDULES) == [
        ("palbociclib", "once daily, Day 1 to Day 21 followed by 7 days off treatment in a "
         "28-day cycle"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("legacy", "pointer"),
    [
        (False, "/protocolSection/armsInterventionsModule/armGroups/0/description"),
        (True, "/clinical_study/arm_group[1]/description"),
    ],
)
def test_an_arms_description_gives_the_dose_of_its_one_named_drug(
    tmp_path: Path, legacy: bool, pointer: str
) -> None:
    """PALLAS's intervention for palbociclib has no description; arm A's says "Palbociclib
    at a dose of 125 mg orally once daily ..., in addition to standard adjuvant endocrine
    therapy": the dose of the arm's one named drug. Arm B names no drug."""
    data = pallas_json()
    graph = mapped_legacy(tmp_path, data)[0] if legacy else mapped(tmp_path, data)[0]
    assert select(graph, DOSES) == [
        ("palbociclib", "125.0", "UO_0000022", "OralRoute", "125 mg", pointer),
    ]


def test_an_arms_description_gives_no_dose_for_two_named_drugs(tmp_path: Path) -> None:
    """One dose in the description, two named drugs in the arm: whose dose it is the
    record does not say."""
    data = pallas_json()
    module = data["protocolSection"]["armsInterventionsModule"]
    module["armGroups"][0]["description"] = "Palbociclib 125 mg orally plus letrozole daily"
    (palbociclib,) = [i for i in module["interventions"] if i["name"] == "Palbociclib"]
    module["interventions"].append(
        {"type": "DRUG", "name": "Letrozole", "armGroupLabels": palbociclib["armGroupLabels"]}
    )
    graph, _ = mapped(tmp_path, data)
    assert select(graph, DOSES) == []


CONDITIONS = """SELECT ?condition ?mesh WHERE {
  ?pop a tkg:Population ; tkg:hasCondition ?condition .
  OPTIONAL { ?condition <http://www.w3.org/2004/02/skos/core#exactMatch> ?mesh }
} ORDER BY ?condition ?mesh"""


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("D000001943", "D001943"),  # an old, seven-character UI as the registry pads it
        ("D001943", "D001943"),
        ("D000066309", "D066309"),  # the highest seven-character UI known
        ("D000066388", "D000066388"),  # the lowest ten-character UI known
        ("D000077192", "D000077192"),
        ("D000066350", None),  # between the two: either could be meant
        ("C000500026", "C500026"),  # a supplementary concept (palbociclib), padded
        ("C500026", "C500026"),
        ("C000587014", "C587014"),  # the highest seven-character concept UI known
        ("C000588642", "C000588642"),  # the lowest ten-character concept UI known
        ("C000587500", None),  # between the two
        ("M4910", None),  # a browse leaf
        ("D1943", None),
        ("Q000009", None),
        ("", None),
    ],
)
def test_a_registry_mesh_id_is_read_as_a_mesh_ui(given: str, expected: str | None) -> None:
    from trialkg.triples.ctgov import mesh_ui

    assert mesh_ui(given) == expected


def test_the_registrys_mesh_headings_are_conditions_aligned_to_mesh() -> None:
    json_graph, _ = registry_graph(CTGOV / "NCT03377387.json")
    assert select(json_graph, CONDITIONS) == [
        ("breast-neoplasms", "D001943"),  # the heading, http://id.nlm.nih.gov/mesh/D001943
        ("BreastCancer", "None"),  # "Breast Cancer", the record's own name of its condition
    ]
    # legacy XML names the heading without its id: the same node, not aligned
    xml_graph, _ = registry_graph(CTGOV / "NCT03377387.xml")
    assert select(xml_graph, CONDITIONS) == [("breast-neoplasms", "None"), ("BreastCancer", "None")]


def test_a_mesh_heading_of_a_curated_condition_names_that_condition(
    records_copy: Path, tmp_path: Path
) -> None:
    from trialkg.triples.ctgov import Context, registry_graphs

    ref = records_copy / "reference.yaml"
    ref.write_text(
        ref.read_text(encoding="utf-8")
        + "conditions:\n  - {id: breast-tumour, label: breast tumour, mappings: [MESH:D001943]}\n",
        encoding="utf-8",
    )
    data = pallas_json()
    data["derivedSection"]["conditionBrowseModule"]["meshes"] = [
        {"id": "D000001943", "term": "Breast Neoplasms"},
        {"id": "D000066350", "term": "Neoplasms, Ductal"},  # an id that cannot be told apart
    ]
    path = tmp_path / "NCT02513394.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    _, graph, _, _ = registry_graphs(read_record(path), Context.from_records(records_copy))
    assert select(graph, CONDITIONS) == [
        ("breast-tumour", "None"),  # kg/reference.yaml's condition, aligned there
        ("neoplasms-ductal", "None"),  # a node of its own, not aligned
        ("BreastCancer", "None"),
    ]


DRUG_MESH = """SELECT ?drug ?mesh WHERE {
  ?drug <http://www.w3.org/2004/02/skos/core#exactMatch> ?mesh .
  FILTER (STRSTARTS(STR(?drug), "https://w3id.org/trialkg/id/drug/"))
} ORDER BY ?drug ?mesh"""  # a curated drug is typed in the reference graph, not the record's


def _mesh_reports(report: ImportReport) -> list[str]:
    return [s for s in report.skipped if s.startswith("MeSH heading")]


def test_intervention_headings_of_curated_drugs_add_nothing_the_reference_has() -> None:
    # PALLAS: "Palbociclib" C000500026, the UI kg/reference.yaml maps palbociclib to
    graph, report = registry_graph(CTGOV / "NCT02513394.json")
    assert select(graph, DRUG_MESH) == []
    assert _mesh_reports(report) == []
    # legacy XML: "Ado-trastuzumab emtansine", no id, names the intervention "T-DM1"
    graph, report = registry_graph(CTGOV / "NCT03587740.xml")
    assert select(graph, DRUG_MESH) == []
    assert _mesh_reports(report) == []


def test_an_intervention_heading_aligns_a_new_drug_and_reports_what_it_cannot(
    tmp_path: Path,
) -> None:
    data = pallas_json()
    module = data["protocolSection"]["armsInterventionsModule"]
    (palbociclib,) = [i for i in module["interventions"] if i["name"] == "Palbociclib"]
    palbociclib["name"] = "Dalpiciclib"  # a drug kg/reference.yaml does not know
    palbociclib["otherNames"] = ["SHR6390"]
    for arm in module["armGroups"]:
        arm["interventionNames"] = [
            "Drug: Dalpiciclib" if n == "Drug: Palbociclib" else n
            for n in arm.get("interventionNames", [])
        ]
    data["derivedSection"]["interventionBrowseModule"]["meshes"] = [
        {"id": "C000600001", "term": "SHR6390"},  # by the intervention's other name
        {"id": "D000077267", "term": "Fulvestrant"},  # no intervention of the record
        {"id": "C000587500", "term": "Dalpiciclib"},  # an id that cannot be told apart
    ]
    graph, report = mapped(tmp_path, data)
    assert select(graph, DRUG_MESH) == [("dalpiciclib", "C000600001")]
    assert _mesh_reports(report) == [
        "MeSH heading 'Fulvestrant' (D000077267): names none of the record's drugs",
        "MeSH heading 'Dalpiciclib' (C000587500): not a MeSH UI that can be told apart",
    ]


def test_an_intervention_heading_other_than_the_reference_mapping_is_reported(
    tmp_path: Path,
) -> None:
    data = pallas_json()
    data["derivedSection"]["interventionBrowseModule"]["meshes"] = [
        {"id": "C000500027", "term": "Palbociclib"}
    ]
    graph, report = mapped(tmp_path, data)
    assert select(graph, DRUG_MESH) == []
    assert _mesh_reports(report) == [
        "MeSH heading 'Palbociclib' (C000500027): kg/reference.yaml maps palbociclib to C500026"
    ]


def test_an_intervention_heading_aligns_a_curated_drug_the_reference_does_not_map(
    tmp_path: Path,
) -> None:
    data = json.loads((CTGOV / "NCT03377387.json").read_text(encoding="utf-8"))
    data["derivedSection"]["interventionBrowseModule"]["meshes"].append(
        {"id": "C000600002", "term": "Neratinib"}  # an id of this test's
    )
    path = tmp_path / "NCT03377387.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    graph, report = registry_graph(path)
    # capecitabine's D000069287 is kg/reference.yaml's own; neratinib has no MeSH id there
    assert select(graph, DRUG_MESH) == [("neratinib", "C000600002")]
    assert _mesh_reports(report) == []
