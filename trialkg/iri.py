"""The IRI scheme of trialkg instance data: readable, deterministic and stable.

Every IRI is built from curator-chosen ids (slugs) and controlled values, never from
counters or build order, so the same real-world thing stated by several sources gets the
same IRI in every build. See ontology/README.md, "IRI scheme".
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from rdflib import URIRef

BASE = "https://w3id.org/trialkg/"
ID = BASE + "id/"
GRAPH = BASE + "graph/"

ONTOLOGY_GRAPH = URIRef(GRAPH + "ontology")
PROVENANCE_GRAPH = URIRef(GRAPH + "provenance")
INFERRED_GRAPH = URIRef(GRAPH + "inferred")
REFERENCE_GRAPH = URIRef(GRAPH + "reference")
DATASET = URIRef(BASE + "dataset")

_GRADE_SLUGS = {">=3": "3-or-higher", "not-stated": "not-stated"}


def _u(path: str) -> URIRef:
    return URIRef(ID + path)


def number_slug(value: Decimal) -> str:
    """Render a number for use inside an IRI (``6``, ``2.5``)."""
    text = format(value.normalize(), "f")
    return text.replace(".", "p") if "." in text else text


def source_graph(source_id: str) -> URIRef:
    """Named graph holding what one source asserts."""
    return URIRef(GRAPH + "source/" + source_id)


def source(source_id: str) -> URIRef:
    return _u(f"source/{source_id}")


def publication(pub_id: str) -> URIRef:
    return _u(f"publication/{pub_id}")


def organization(org_id: str) -> URIRef:
    return _u(f"organization/{org_id}")


def person(person_id: str) -> URIRef:
    return _u(f"person/{person_id}")


def drug(drug_id: str) -> URIRef:
    return _u(f"drug/{drug_id}")


def class_agent(drug_class: str) -> URIRef:
    """The node standing for 'any agent of this class' in a regimen."""
    return _u("drug/any-" + drug_class.replace("/", "-"))


def target(target_id: str) -> URIRef:
    return _u(f"target/{target_id}")


def adverse_event_term(event_id: str) -> URIRef:
    return _u(f"adverse-event/{event_id}")


def condition(condition_id: str) -> URIRef:
    return _u(f"condition/{condition_id}")


def mechanism(mechanism_id: str) -> URIRef:
    """A mechanism of action defined in kg/reference.yaml (the ontology's are tkg: terms)."""
    return _u(f"mechanism/{mechanism_id}")


def unit(unit_id: str) -> URIRef:
    """A unit kg/reference.yaml defines ("milligram-per-decilitre"), or one a registry record
    names that no vocabulary has ("units on a scale")."""
    return _u(f"unit/{unit_id}")


def biomarker_status(status_id: str) -> URIRef:
    """A biomarker status defined in kg/reference.yaml ("egfr-mutated")."""
    return _u(f"biomarker-status/{status_id}")


def drug_class(class_id: str) -> URIRef:
    """A drug class defined in kg/reference.yaml (the ontology's are tkg: classes)."""
    return _u(f"drug-class/{class_id.replace('/', '-')}")


def study(study_id: str) -> URIRef:
    return _u(f"study/{study_id}")


def population(study_id: str) -> URIRef:
    return _u(f"study/{study_id}/population")


def subgroup(study_id: str, subgroup_id: str) -> URIRef:
    """A subgroup of a study's population that results are reported for."""
    return _u(f"study/{study_id}/population/{subgroup_id}")


def data_cut(study_id: str, data_cut_id: str) -> URIRef:
    """An analysis of a study at a data cut-off that results are reported for."""
    return _u(f"study/{study_id}/data-cut/{data_cut_id}")


def arm(study_id: str, arm_id: str) -> URIRef:
    return _u(f"study/{study_id}/arm/{arm_id}")


def regimen(study_id: str, arm_id: str) -> URIRef:
    return _u(f"study/{study_id}/arm/{arm_id}/regimen")


def dosage(study_id: str, arm_id: str, drug_id: str) -> URIRef:
    """How a drug of an arm's regimen is given: one node per arm and drug, whichever source
    states it, so that two sources giving two doses are a conflict."""
    return _u(f"study/{study_id}/arm/{arm_id}/regimen/dosage/{drug_id}")


def endpoint(study_id: str, endpoint_id: str) -> URIRef:
    return _u(f"study/{study_id}/endpoint/{endpoint_id}")


def _scope(subgroup: str = "", data_cut: str = "") -> str:
    """The tail of a result reported for a subgroup or at a data cut
    (``/subgroup/visceral/data-cut/final``; "" for the whole population, no cut named)."""
    return (f"/subgroup/{subgroup}" if subgroup else "") + (
        f"/data-cut/{data_cut}" if data_cut else ""
    )


def arm_result(
    study_id: str,
    arm_id: str,
    endpoint_id: str,
    measure: str,
    time_point: tuple[Decimal, str] | None = None,
    category: str = "",
    subgroup: str = "",
    data_cut: str = "",
) -> URIRef:
    """An arm-level result; ``category``: the slug of the category it is about, if any
    (``…/count/complete-response``); ``subgroup``: the subgroup it is reported for, if any
    (``…/median/subgroup/visceral``); ``data_cut``: the analysis it is reported at, if any
    (``…/median/data-cut/final``)."""
    tail = f"{measure}"
    if time_point is not None:
        tail += f"-at-{number_slug(time_point[0])}-{time_point[1]}"
    if category:
        tail += f"/{category}"
    tail += _scope(subgroup, data_cut)
    return _u(f"study/{study_id}/result/{endpoint_id}/{arm_id}/{tail}")


def comparison(
    study_id: str,
    endpoint_id: str,
    experimental: str,
    comparator: str,
    analysis: int = 1,
    subgroup: str = "",
    data_cut: str = "",
) -> URIRef:
    """The comparison of two arms on an endpoint; in a subgroup, ``/subgroup/<id>``; at a
    data cut, ``/data-cut/<id>``; a source's second and later analyses of the same two arms
    (stratified and unstratified, another test) are ``/analysis-N``."""
    tail = _scope(subgroup, data_cut) + (f"/analysis-{analysis}" if analysis > 1 else "")
    return _u(f"study/{study_id}/comparison/{endpoint_id}/{experimental}-vs-{comparator}{tail}")


def estimate(
    study_id: str,
    endpoint_id: str,
    experimental: str,
    comparator: str,
    statistic: str,
    analysis: int = 1,
    subgroup: str = "",
    data_cut: str = "",
) -> URIRef:
    base = comparison(study_id, endpoint_id, experimental, comparator, analysis, subgroup, data_cut)
    return URIRef(f"{base}/{statistic}")


def adverse_event_result(
    study_id: str,
    arm_id: str,
    event_id: str,
    grade: str,
    serious: bool | None = None,
    data_cut: str = "",
) -> URIRef:
    grade_slug = _GRADE_SLUGS.get(grade, grade)
    tail = {None: "", True: "/serious", False: "/non-serious"}[serious] + _scope(data_cut=data_cut)
    return _u(f"study/{study_id}/adverse-event/{arm_id}/{event_id}/grade-{grade_slug}{tail}")


def evidence(source_id: str, subject: URIRef, props: list[URIRef], quote: str) -> URIRef:
    """Evidence node: one per (source, node, figure properties, quote)."""
    key = "\x1f".join((str(subject), " ".join(props), quote))
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    return _u(f"evidence/{source_id}/{digest}")


def build(fingerprint: str) -> URIRef:
    return _u(f"build/{fingerprint[:16]}")
