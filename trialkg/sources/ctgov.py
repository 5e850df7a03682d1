"""ClinicalTrials.gov records -> typed registry records.

Reads the API v2 single-study JSON and the legacy XML format (public.xsd) into one typed
model, :class:`RegistryStudy`. Every figure keeps the text the record states and where it
states it (a JSON Pointer, RFC 6901, or an XPath), so the figure can be traced back to the
record. A record that cannot be read raises :class:`RegistryParseError` naming the file and
the field; the caller reports it and goes on with the other records.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

NCT = re.compile(r"^NCT\d{8}$")


class RegistryParseError(ValueError):
    """A registry record that cannot be read; ``str()`` names file, field and problem."""

    def __init__(self, file: Path, field: str, message: str) -> None:
        self.file, self.field, self.message = file, field, message
        super().__init__(f"{file}: {field or '(record)'}: {message}")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Figure(_Model):
    """A number as the record states it, with where it states it."""

    text: str
    pointer: str


class Group(_Model):
    id: str
    title: str
    description: str = ""
    role: str = ""
    interventions: tuple[str, ...] = ()
    description_at: str = ""  # where an arm's description lies in the file (JSON Pointer, XPath)


class Intervention(_Model):
    type: str
    name: str
    arm_labels: tuple[str, ...] = ()
    other_names: tuple[str, ...] = ()
    description: Figure | None = None  # how it is given, in the record's words


class MeshHeading(_Model):
    """A MeSH heading the registry assigned to the study's conditions or interventions (the
    record's derived section: assigned by NLM's algorithm, not by the sponsor)."""

    term: str
    id: str = ""  # as the record gives it ("D000001943", "C000500026"); legacy XML gives none


class Measurement(_Model):
    group_id: str
    value: Figure
    lower: Figure | None = None
    upper: Figure | None = None
    spread: Figure | None = None
    category: str = ""
    comment: Figure | None = None  # why a figure is "NA" ("median not reached")


class Analysis(_Model):
    group_ids: tuple[str, ...]
    param_type: str
    value: Figure | None = None
    ci_percent: str = ""
    ci_sides: str = ""
    lower: Figure | None = None
    upper: Figure | None = None
    lower_comment: Figure | None = None  # why a bound is "NA" ("not estimable")
    upper_comment: Figure | None = None
    p_value: Figure | None = None
    method: str = ""
    dispersion_type: str = ""  # of the estimate: standard deviation, standard error
    dispersion: Figure | None = None
    hypothesis: str = ""  # the test's type, as the record names it ("NON_INFERIORITY")
    comments: tuple[str, ...] = ()  # the record's own: method, p-value, estimate, margin


class Outcome(_Model):
    type: str
    title: str
    description: str = ""
    time_frame: str = ""
    param_type: str = ""
    dispersion_type: str = ""
    unit: str = ""
    groups: tuple[Group, ...] = ()
    denominators: tuple[tuple[str, Figure], ...] = ()
    measurements: tuple[Measurement, ...] = ()
    analyses: tuple[Analysis, ...] = ()


class FlowCount(_Model):
    group_id: str
    milestone: str
    count: Figure


class AdverseEvent(_Model):
    term: str
    organ_system: str
    serious: bool
    vocabulary: str = ""
    group_id: str
    affected: Figure | None = None
    at_risk: Figure | None = None
    events: Figure | None = None
    row: str = ""  # where the record lists the event (one row, a count per group)


class Reference(_Model):
    """A publication the record lists: its PubMed id, its kind (RESULT: it reports the
    study's results; BACKGROUND; DERIVED) and its citation."""

    pmid: Figure
    kind: str = ""
    citation: str = ""


class BaselineAge(_Model):
    """The median age of all participants (the baseline table's total), with its range."""

    median: Figure
    minimum: Figure | None = None
    maximum: Figure | None = None
    unit: str = ""


class RegistryStudy(_Model):
    """One version of one ClinicalTrials.gov record."""

    file: str
    pointer_base: str = ""  # where in the file the record lies: "/studies/3" in a page
    format: str
    nct_id: str
    aliases: tuple[str, ...] = ()
    org_study_id: str = ""
    secondary_ids: tuple[str, ...] = ()
    brief_title: str = ""
    official_title: str = ""
    acronym: str = ""
    overall_status: Figure | None = None
    version_date: str = ""
    start_date: str = ""
    primary_completion_date: str = ""
    completion_date: str = ""
    study_type: str = ""
    phases: tuple[str, ...] = ()
    allocation: str = ""
    intervention_model: str = ""
    masking: str = ""
    primary_purpose: str = ""
    enrollment: Figure | None = None
    enrollment_type: str = ""
    conditions: tuple[str, ...] = ()
    condition_meshes: tuple[MeshHeading, ...] = ()
    intervention_meshes: tuple[MeshHeading, ...] = ()
    keywords: tuple[str, ...] = ()
    arms: tuple[Group, ...] = ()
    interventions: tuple[Intervention, ...] = ()
    eligibility: str = ""
    minimum_age: str = ""
    maximum_age: str = ""
    sex: str = ""
    lead_sponsor: str = ""
    collaborators: tuple[str, ...] = ()
    declared_outcomes: tuple[tuple[str, str, str], ...] = ()
    flow_groups: tuple[Group, ...] = ()
    flow: tuple[FlowCount, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    event_groups: tuple[Group, ...] = ()
    adverse_events: tuple[AdverseEvent, ...] = ()
    age: BaselineAge | None = None  # of all participants, from the baseline table
    references: tuple[Reference, ...] = ()  # those with a PubMed id

    @property
    def place(self) -> str:
        """The file, and where in it the record lies if the file holds several."""
        return f"{self.file}#{self.pointer_base}" if self.pointer_base else self.file


def read_record(path: Path) -> RegistryStudy:
    """Read a file of one record (``.json`` API v2 or ``.xml`` legacy)."""
    records = read_records(path)
    if len(records) != 1:
        raise RegistryParseError(
            path, "", f"holds {len(records)} study records, not one (read it with read_records)"
        )
    return records[0]


def records_in(path: Path) -> tuple[list[RegistryStudy], list[RegistryParseError]]:
    """The records a file holds that can be read, and why the others (or the file) cannot."""
    errors: list[RegistryParseError] = []
    try:
        return read_records(path, errors), errors
    except RegistryParseError as exc:
        return [], [exc]


def read_records(path: Path, errors: list[RegistryParseError] | None = None) -> list[RegistryStudy]:
    """Read a record file: one study record (``.json`` API v2 or ``.xml`` legacy), or a
    page of API v2 search results (``{"studies": [...]}``) or a JSON array of study
    records, each record's figures pointing into the file (``/studies/3/...``).

    Raises :class:`RegistryParseError` for a file that cannot be read; for a study of a
    page that cannot be, too, unless ``errors`` is given: then the error goes there and
    the other studies are read."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RegistryParseError(path, "", f"cannot read: {exc}") from exc
    head = raw.lstrip()[:1]
    if head in (b"{", b"["):
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise RegistryParseError(
                path, f"line {exc.lineno}", f"malformed JSON: {exc.msg}"
            ) from exc
        if isinstance(data, dict) and isinstance(data.get("studies"), list):
            items, base = data["studies"], "/studies"
        elif isinstance(data, list):
            items, base = data, ""
        else:
            return [_from_json(path, data)]
        if not items:
            raise RegistryParseError(path, base.strip("/") or "(array)", "no study records")
        records = []
        for i, item in enumerate(items):
            try:
                records.append(_from_json(path, item, f"{base}/{i}"))
            except RegistryParseError as exc:
                if errors is None:
                    raise
                errors.append(exc)
        return records
    if head == b"<":
        try:
            root = ET.fromstring(raw)
        except ET.ParseError as exc:
            raise RegistryParseError(
                path, f"line {exc.position[0]}", f"malformed XML: {exc}"
            ) from exc
        return [_from_xml(path, root)]
    raise RegistryParseError(path, "", "neither ClinicalTrials.gov JSON nor XML")


def record_files(paths: list[Path]) -> list[Path]:
    """Expand folders into the .json/.xml files they hold, sorted."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(q for q in p.iterdir() if q.suffix.lower() in (".json", ".xml"))
        else:
            out.append(p)
    return out


# -- API v2 JSON -------------------------------------------------------------------------------


def _get(d: Any, *keys: str | int) -> Any:
    for k in keys:
        if isinstance(k, int):
            if not isinstance(d, list) or k >= len(d):
                return None
            d = d[k]
        else:
            if not isinstance(d, dict):
                return None
            d = d.get(k)
    return d


def _fig(value: Any, pointer: str, keep_na: bool = False) -> Figure | None:
    """A figure the record states at ``pointer``; "NA" (not available) is none, unless
    ``keep_na`` (a bound the mapping reads with the record's comment: "not reached")."""
    if value is None or value == "" or (value == "NA" and not keep_na):
        return None
    return Figure(text=str(value), pointer=pointer)


def _comments(values: Iterable[Any]) -> tuple[str, ...]:
    """The comments a record gives, each once, whitespace collapsed."""
    out: list[str] = []
    for v in values:
        text = " ".join(str(v).split()) if v else ""
        if text and text not in out:
            out.append(text)
    return tuple(out)


def _texts(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


#: API v2 fields that hold a list of objects, and those that hold a list of texts or numbers;
#: a field named ``...Module``, ``...Section``, ``...Struct`` or ``...Info``, or one of
#: ``_OBJECTS``, holds an object
_OBJECT_LISTS = frozenset(
    ("armGroups", "interventions", "primaryOutcomes", "secondaryOutcomes", "otherOutcomes",
     "collaborators", "secondaryIdInfos", "references", "outcomeMeasures", "classes",
     "categories", "measurements", "analyses", "groups", "denoms", "counts", "periods",
     "milestones", "achievements", "eventGroups", "seriousEvents", "otherEvents", "stats",
     "measures", "studies")
)  # fmt: skip
_VALUE_LISTS = frozenset(
    ("conditions", "keywords", "phases", "groupIds", "interventionNames", "armGroupLabels",
     "otherNames", "nctIdAliases")
)  # fmt: skip
_OBJECTS = frozenset(("leadSponsor", "responsibleParty", "designInfo"))
_OBJECT_SUFFIXES = ("Module", "Section", "Struct", "Info")
#: modules the importer does not read (checked only to be objects, not walked)
_NOT_READ = frozenset(
    ("contactsLocationsModule", "conditionBrowseModule", "interventionBrowseModule",
     "descriptionModule", "ipdSharingStatementModule", "largeDocumentModule",
     "annotationSection", "documentSection", "oversightModule", "moreInfoModule")
)  # fmt: skip


def _check_json_types(path: Path, data: Any, where: str) -> bool:
    """Every field of an API v2 record that holds an object or a list holds one (``null``
    is taken as not given); else the error names the field and what it holds. Returns
    whether a field is given as null."""
    nulls = False

    def kind(value: Any) -> str:
        if value is None:
            return "null"
        if isinstance(value, (dict, list)):
            return "an object" if isinstance(value, dict) else "a list"
        return f"the value {json.dumps(value)[:40]}"

    def expect_list(value: Any, at: str, objects: bool) -> None:
        item_kind = "an object" if objects else "a text or a number"
        if not isinstance(value, list):
            raise RegistryParseError(
                path, at, f"expected a list (of {item_kind[3:]}s), got {kind(value)}"
            )
        for i, item in enumerate(value):
            scalar = isinstance(item, (str, int, float)) and not isinstance(item, bool)
            if not (isinstance(item, dict) if objects else scalar):
                raise RegistryParseError(
                    path, f"{at}[{i}]", f"expected {item_kind}, got {kind(item)}"
                )

    def walk(node: dict[str, Any], field: str) -> None:
        nonlocal nulls
        for key, value in node.items():
            if value is None:
                nulls = True
                continue
            if key in _NOT_READ and isinstance(value, dict):
                continue  # locations, browse trees: large and never read
            at = f"{field}.{key}" if field else key
            if key in _OBJECT_LISTS or key in _VALUE_LISTS:
                expect_list(value, at, key in _OBJECT_LISTS)
            elif not isinstance(value, dict) and (
                key in _OBJECTS or key.endswith(_OBJECT_SUFFIXES)
            ):
                raise RegistryParseError(path, at, f"expected an object, got {kind(value)}")
            if isinstance(value, dict):
                walk(value, at)
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, dict):
                        walk(item, f"{at}[{i}]")

    if isinstance(data, dict):
        walk(data, where.rstrip("."))
    return nulls


def _meshes(path: Path, data: dict[str, Any], where: str, module: str) -> tuple[MeshHeading, ...]:
    """The MeSH headings of the record's conditions or interventions (``module``:
    ``derivedSection.conditionBrowseModule.meshes`` or ``interventionBrowseModule``, a list of
    objects with ``id`` and ``term``); a heading without its name, or an id that is not
    text, is an error naming the field."""
    field = f"{where}derivedSection.{module}.meshes"
    meshes = _get(data, "derivedSection", module, "meshes")
    if meshes is None:
        return ()
    if not isinstance(meshes, list):
        raise RegistryParseError(path, field, "expected a list of objects (id, term)")
    out = []
    for i, m in enumerate(meshes):
        term = m.get("term") if isinstance(m, dict) else None
        ui = m.get("id", "") if isinstance(m, dict) else None
        if not isinstance(term, str) or not term.strip():
            raise RegistryParseError(path, f"{field}[{i}].term", "missing: the heading's name")
        if not isinstance(ui, str):
            raise RegistryParseError(path, f"{field}[{i}].id", f"expected a text, got {ui!r}")
        out.append(MeshHeading(term=" ".join(term.split()), id=ui.strip()))
    return tuple(out)


def _drop_nulls(node: Any) -> Any:
    """The record without its ``null`` fields (a field given as null is not given)."""
    if isinstance(node, dict):
        return {k: _drop_nulls(v) for k, v in node.items() if v is not None}
    if isinstance(node, list):
        return [_drop_nulls(v) for v in node]
    return node


def _from_json(path: Path, data: Any, at: str = "") -> RegistryStudy:
    """One API v2 study record; ``at``: where it lies in the file (a JSON Pointer, "" for
    the whole file)."""
    where = "".join(f"[{k}]" if k.isdigit() else f".{k}" for k in at.split("/")[1:])
    where = f"{where.lstrip('.')}." if where else ""
    if _check_json_types(path, data, where):
        data = _drop_nulls(data)
    ps = _get(data, "protocolSection")
    if not isinstance(ps, dict):
        raise RegistryParseError(
            path, f"{where}protocolSection", "missing: not an API v2 study record"
        )
    nct = _get(ps, "identificationModule", "nctId")
    if not isinstance(nct, str) or not NCT.match(nct):
        raise RegistryParseError(
            path,
            f"{where}protocolSection.identificationModule.nctId",
            f"missing or not an NCT number: {nct!r}",
        )
    ident = ps.get("identificationModule", {})
    status = ps.get("statusModule", {})
    design = ps.get("designModule", {})
    arms_mod = ps.get("armsInterventionsModule", {})
    sponsors = ps.get("sponsorCollaboratorsModule", {})
    elig = ps.get("eligibilityModule", {})
    outcomes_mod = ps.get("outcomesModule", {})
    base = "/protocolSection"
    declared = []
    for kind in ("primaryOutcomes", "secondaryOutcomes", "otherOutcomes"):
        for o in outcomes_mod.get(kind, []) or []:
            declared.append(
                (
                    kind.replace("Outcomes", "").upper(),
                    str(o.get("measure", "")),
                    str(o.get("timeFrame", "")),
                )
            )
    rs = data.get("resultsSection") or {}
    references = tuple(
        Reference(
            pmid=Figure(
                text=str(r["pmid"]).strip(),
                pointer=f"{base}/referencesModule/references/{r_i}/pmid",
            ),
            kind=str(r.get("type", "")).upper(),
            citation=" ".join(str(r.get("citation", "")).split()),
        )
        for r_i, r in enumerate(_get(ps, "referencesModule", "references") or [])
        if isinstance(r, dict) and str(r.get("pmid", "")).strip().isdigit()
    )
    return RegistryStudy(
        file=str(path),
        pointer_base=at,
        references=references,
        format="ctgov-api-v2-json",
        nct_id=nct,
        aliases=_texts(_get(data, "derivedSection", "miscInfoModule", "nctIdAliases")),
        org_study_id=str(_get(ident, "orgStudyIdInfo", "id") or ""),
        secondary_ids=tuple(str(s.get("id")) for s in ident.get("secondaryIdInfos", []) or []),
        brief_title=str(ident.get("briefTitle", "")),
        official_title=str(ident.get("officialTitle", "")),
        acronym=str(ident.get("acronym", "")),
        overall_status=_fig(status.get("overallStatus"), f"{base}/statusModule/overallStatus"),
        version_date=str(_get(status, "lastUpdatePostDateStruct", "date") or ""),
        start_date=str(_get(status, "startDateStruct", "date") or ""),
        primary_completion_date=str(_get(status, "primaryCompletionDateStruct", "date") or ""),
        completion_date=str(_get(status, "completionDateStruct", "date") or ""),
        study_type=str(design.get("studyType", "")),
        phases=_texts(design.get("phases")),
        allocation=str(_get(design, "designInfo", "allocation") or ""),
        intervention_model=str(_get(design, "designInfo", "interventionModel") or ""),
        masking=str(_get(design, "designInfo", "maskingInfo", "masking") or ""),
        primary_purpose=str(_get(design, "designInfo", "primaryPurpose") or ""),
        enrollment=_fig(
            _get(design, "enrollmentInfo", "count"), f"{base}/designModule/enrollmentInfo/count"
        ),
        enrollment_type=str(_get(design, "enrollmentInfo", "type") or ""),
        conditions=_texts(_get(ps, "conditionsModule", "conditions")),
        condition_meshes=_meshes(path, data, where, "conditionBrowseModule"),
        intervention_meshes=_meshes(path, data, where, "interventionBrowseModule"),
        keywords=_texts(_get(ps, "conditionsModule", "keywords")),
        arms=tuple(
            Group(
                id=str(a.get("label", "")),
                title=str(a.get("label", "")),
                description=str(a.get("description", "")),
                role=str(a.get("type", "")),
                interventions=_texts(a.get("interventionNames")),
                description_at=f"{base}/armsInterventionsModule/armGroups/{a_i}/description",
            )
            for a_i, a in enumerate(arms_mod.get("armGroups", []) or [])
        ),
        interventions=tuple(
            Intervention(
                type=str(i.get("type", "")),
                name=str(i.get("name", "")),
                arm_labels=_texts(i.get("armGroupLabels")),
                other_names=_texts(i.get("otherNames")),
                description=_fig(
                    i.get("description"),
                    f"{base}/armsInterventionsModule/interventions/{i_i}/description",
                ),
            )
            for i_i, i in enumerate(arms_mod.get("interventions", []) or [])
        ),
        eligibility=str(elig.get("eligibilityCriteria", "")),
        minimum_age=str(elig.get("minimumAge", "")),
        maximum_age=str(elig.get("maximumAge", "")),
        sex=str(elig.get("sex", "")),
        lead_sponsor=str(_get(sponsors, "leadSponsor", "name") or ""),
        collaborators=tuple(str(c.get("name")) for c in sponsors.get("collaborators", []) or []),
        declared_outcomes=tuple(declared),
        **_json_results(rs),
    )


def _groups(items: Any) -> tuple[Group, ...]:
    return tuple(
        Group(
            id=str(g.get("id", "")),
            title=str(g.get("title", "")),
            description=str(g.get("description", "")),
        )
        for g in items or []
    )


def _json_results(rs: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    base = "/resultsSection"
    pf = rs.get("participantFlowModule") or {}
    out["flow_groups"] = _groups(pf.get("groups"))
    flow = []
    for p_i, period in enumerate(pf.get("periods", []) or []):
        if p_i > 0:
            break  # the first period is the overall study
        for m_i, milestone in enumerate(period.get("milestones", []) or []):
            for a_i, ach in enumerate(milestone.get("achievements", []) or []):
                fig = _fig(
                    ach.get("numSubjects"),
                    f"{base}/participantFlowModule/periods/{p_i}"
                    f"/milestones/{m_i}/achievements/{a_i}/numSubjects",
                )
                if fig is not None:
                    flow.append(
                        FlowCount(
                            group_id=str(ach.get("groupId")),
                            milestone=str(milestone.get("type", "")),
                            count=fig,
                        )
                    )
    out["flow"] = tuple(flow)
    outcomes = []
    for o_i, om in enumerate(_get(rs, "outcomeMeasuresModule", "outcomeMeasures") or []):
        p = f"{base}/outcomeMeasuresModule/outcomeMeasures/{o_i}"
        measurements = []
        for c_i, cls in enumerate(om.get("classes", []) or []):
            for k_i, cat in enumerate(cls.get("categories", []) or []):
                for m_i, m in enumerate(cat.get("measurements", []) or []):
                    mp = f"{p}/classes/{c_i}/categories/{k_i}/measurements/{m_i}"
                    if m.get("value") in (None, ""):
                        continue
                    # "NA" is kept: the mapping reports it (with the record's comment,
                    # e.g. "median not reached") instead of losing it unseen
                    value = Figure(text=str(m["value"]), pointer=f"{mp}/value")
                    measurements.append(
                        Measurement(
                            group_id=str(m.get("groupId")),
                            value=value,
                            lower=_fig(m.get("lowerLimit"), f"{mp}/lowerLimit", keep_na=True),
                            upper=_fig(m.get("upperLimit"), f"{mp}/upperLimit", keep_na=True),
                            spread=_fig(m.get("spread"), f"{mp}/spread"),
                            comment=_fig(m.get("comment"), f"{mp}/comment"),
                            category=" ".join(
                                x
                                for x in (str(cls.get("title", "")), str(cat.get("title", "")))
                                if x
                            ).strip(),
                        )
                    )
        analyses = []
        for a_i, an in enumerate(om.get("analyses", []) or []):
            ap = f"{p}/analyses/{a_i}"
            analyses.append(
                Analysis(
                    group_ids=_texts(an.get("groupIds")),
                    param_type=str(an.get("paramType", "")),
                    value=_fig(an.get("paramValue"), f"{ap}/paramValue"),
                    ci_percent=str(an.get("ciPctValue", "")),
                    ci_sides=str(an.get("ciNumSides", "")),
                    lower=_fig(an.get("ciLowerLimit"), f"{ap}/ciLowerLimit", keep_na=True),
                    upper=_fig(an.get("ciUpperLimit"), f"{ap}/ciUpperLimit", keep_na=True),
                    lower_comment=_fig(an.get("ciLowerLimitComment"), f"{ap}/ciLowerLimitComment"),
                    upper_comment=_fig(an.get("ciUpperLimitComment"), f"{ap}/ciUpperLimitComment"),
                    p_value=_fig(an.get("pValue"), f"{ap}/pValue"),
                    method=str(an.get("statisticalMethod", "")),
                    dispersion_type=str(an.get("dispersionType", "")),
                    dispersion=_fig(an.get("dispersionValue"), f"{ap}/dispersionValue"),
                    hypothesis=str(an.get("nonInferiorityType", "")),
                    comments=_comments(
                        an.get(k)
                        for k in (
                            "statisticalComment",
                            "pValueComment",
                            "estimateComment",
                            "nonInferiorityComment",
                        )
                    ),
                )
            )
        denoms = []
        for d in om.get("denoms", []) or []:
            for c_i, c in enumerate(d.get("counts", []) or []):
                fig = _fig(c.get("value"), f"{p}/denoms/0/counts/{c_i}/value")
                if fig is not None:
                    denoms.append((str(c.get("groupId")), fig))
            break
        outcomes.append(
            Outcome(
                type=str(om.get("type", "")),
                title=str(om.get("title", "")),
                description=str(om.get("description", "")),
                time_frame=str(om.get("timeFrame", "")),
                param_type=str(om.get("paramType", "")),
                dispersion_type=str(om.get("dispersionType", "")),
                unit=str(om.get("unitOfMeasure", "")),
                groups=_groups(om.get("groups")),
                denominators=tuple(denoms),
                measurements=tuple(measurements),
                analyses=tuple(analyses),
            )
        )
    out["outcomes"] = tuple(outcomes)
    ae = rs.get("adverseEventsModule") or {}
    out["event_groups"] = _groups(ae.get("eventGroups"))
    events = []
    for key, serious in (("seriousEvents", True), ("otherEvents", False)):
        for e_i, ev in enumerate(ae.get(key, []) or []):
            for s_i, st in enumerate(ev.get("stats", []) or []):
                sp = f"{base}/adverseEventsModule/{key}/{e_i}/stats/{s_i}"
                events.append(
                    AdverseEvent(
                        term=str(ev.get("term", "")),
                        organ_system=str(ev.get("organSystem", "")),
                        serious=serious,
                        vocabulary=str(ev.get("sourceVocabulary", "")),
                        group_id=str(st.get("groupId")),
                        affected=_fig(st.get("numAffected"), f"{sp}/numAffected"),
                        at_risk=_fig(st.get("numAtRisk"), f"{sp}/numAtRisk"),
                        events=_fig(st.get("numEvents"), f"{sp}/numEvents"),
                        row=f"{base}/adverseEventsModule/{key}/{e_i}",
                    )
                )
    out["adverse_events"] = tuple(events)
    out["age"] = _json_age(rs.get("baselineCharacteristicsModule") or {})
    return out


def _json_age(bm: dict[str, Any]) -> BaselineAge | None:
    """The median age of all participants in API v2's baseline table, if it gives one."""
    groups = _groups(bm.get("groups"))
    whole = _all_participants(groups)
    for b_i, measure in enumerate(bm.get("measures", []) or []):
        if not _is_median_age(measure.get("title"), measure.get("paramType")):
            continue
        p = f"/resultsSection/baselineCharacteristicsModule/measures/{b_i}"
        cells = [
            (f"{p}/classes/{c_i}/categories/{k_i}/measurements/{m_i}", m)
            for c_i, c in enumerate(measure.get("classes", []) or [])
            for k_i, k in enumerate(c.get("categories", []) or [])
            for m_i, m in enumerate(k.get("measurements", []) or [])
        ]
        for mp, m in cells:
            if m.get("groupId") == whole and len(cells) == len(groups):
                median = _fig(m.get("value"), f"{mp}/value")
                if median is None:
                    return None
                full_range = str(measure.get("dispersionType", "")).upper() == "FULL_RANGE"
                return BaselineAge(
                    median=median,
                    minimum=_fig(m.get("lowerLimit"), f"{mp}/lowerLimit") if full_range else None,
                    maximum=_fig(m.get("upperLimit"), f"{mp}/upperLimit") if full_range else None,
                    unit=str(measure.get("unitOfMeasure", "")),
                )
    return None


def _all_participants(groups: tuple[Group, ...]) -> str | None:
    """The baseline table's group of all participants: its "Total", or its only group."""
    total = [g.id for g in groups if g.title.lower() == "total"]
    return total[0] if total else (groups[0].id if len(groups) == 1 else None)


def _is_median_age(title: Any, param: Any) -> bool:
    """A baseline measure that is the participants' median age ("Age, Continuous")."""
    return str(title).lower().startswith("age") and enum_value(str(param)) == "MEDIAN"


# -- legacy XML --------------------------------------------------------------------------------


MONTHS = {
    m: i
    for i, m in enumerate(
        ("january", "february", "march", "april", "may", "june", "july", "august",
         "september", "october", "november", "december"),
        start=1,
    )
}  # fmt: skip


def iso_date(text: str) -> str:
    """A legacy date as API v2 writes it: ``September 2025`` -> ``2025-09``,
    ``August 18, 2020`` -> ``2020-08-18``; anything else is kept as it is."""
    m = re.fullmatch(r"([A-Za-z]+)\s+(?:(\d{1,2}),\s*)?(\d{4})", text.strip())
    if not m or m.group(1).lower() not in MONTHS:
        return text
    month = MONTHS[m.group(1).lower()]
    if m.group(2):
        return f"{m.group(3)}-{month:02d}-{int(m.group(2)):02d}"
    return f"{m.group(3)}-{month:02d}"


def enum_value(text: str) -> str:
    """A legacy enumeration value as API v2 writes it: ``Health Services Research`` ->
    ``HEALTH_SERVICES_RESEARCH``."""
    return re.sub(r"[^A-Z0-9]+", "_", text.strip().upper()).strip("_")


def _x(el: ET.Element | None, path: str) -> str:
    if el is None:
        return ""
    found = el.find(path)
    return " ".join((found.text or "").split()) if found is not None else ""


def _xml_meshes(root: ET.Element, browse: str) -> tuple[MeshHeading, ...]:
    """The MeSH headings of a legacy record's ``<condition_browse>`` or
    ``<intervention_browse>``: names only, the legacy format gives no ids."""
    return tuple(
        MeshHeading(term=term)
        for m in root.findall(f"{browse}/mesh_term")
        if (term := " ".join((m.text or "").split()))
    )


def _from_xml(path: Path, root: ET.Element) -> RegistryStudy:
    if root.tag != "clinical_study":
        raise RegistryParseError(path, root.tag, "not a ClinicalTrials.gov <clinical_study>")
    nct = _x(root, "id_info/nct_id")
    if not NCT.match(nct):
        raise RegistryParseError(
            path, "/clinical_study/id_info/nct_id", f"missing or not an NCT number: {nct!r}"
        )
    phase = _x(root, "phase")
    phases = tuple(p.strip() for p in phase.split("/")) if phase and phase != "N/A" else ()
    enrollment = root.find("enrollment")
    download = _x(root, "required_header/download_date")
    m = re.search(r"on (.+)$", download)
    arms = []
    for g_i, g in enumerate(root.findall("arm_group"), 1):
        label = _x(g, "arm_group_label")
        arms.append(
            Group(
                id=label,
                title=label,
                description=_x(g, "description"),
                role=_x(g, "arm_group_type"),
                description_at=f"/clinical_study/arm_group[{g_i}]/description",
            )
        )
    interventions = []
    for i_i, i in enumerate(root.findall("intervention"), 1):
        interventions.append(
            Intervention(
                type=_x(i, "intervention_type"),
                name=_x(i, "intervention_name"),
                arm_labels=tuple(
                    " ".join((a.text or "").split()) for a in i.findall("arm_group_label")
                ),
                other_names=tuple(
                    " ".join((a.text or "").split()) for a in i.findall("other_name")
                ),
                description=_fig(
                    _x(i, "description"), f"/clinical_study/intervention[{i_i}]/description"
                ),
            )
        )
    arms = [
        Group(
            id=a.id,
            title=a.title,
            description=a.description,
            role=a.role,
            interventions=tuple(
                f"{i.type}: {i.name}" for i in interventions if a.title in i.arm_labels
            ),
            description_at=a.description_at,
        )
        for a in arms
    ]
    declared = []
    for kind in ("primary_outcome", "secondary_outcome", "other_outcome"):
        for o in root.findall(kind):
            declared.append((kind.split("_")[0].upper(), _x(o, "measure"), _x(o, "time_frame")))
    status_text = _x(root, "overall_status")
    references = []
    for tag, kind in (("reference", "BACKGROUND"), ("results_reference", "RESULT")):
        for r_i, ref in enumerate(root.findall(tag), 1):
            pmid = _x(ref, "PMID")
            if pmid.isdigit():
                references.append(
                    Reference(
                        pmid=Figure(text=pmid, pointer=f"/clinical_study/{tag}[{r_i}]/PMID"),
                        kind=kind,
                        citation=_x(ref, "citation"),
                    )
                )
    return RegistryStudy(
        file=str(path),
        format="ctgov-legacy-xml",
        references=tuple(references),
        nct_id=nct,
        aliases=tuple(" ".join((a.text or "").split()) for a in root.findall("id_info/nct_alias")),
        org_study_id=_x(root, "id_info/org_study_id"),
        secondary_ids=tuple(
            " ".join((a.text or "").split()) for a in root.findall("id_info/secondary_id")
        ),
        brief_title=_x(root, "brief_title"),
        official_title=_x(root, "official_title"),
        acronym=_x(root, "acronym"),
        overall_status=_fig(status_text, "/clinical_study/overall_status"),
        version_date=m.group(1) if m else "",
        start_date=iso_date(_x(root, "start_date")),
        primary_completion_date=iso_date(_x(root, "primary_completion_date")),
        completion_date=iso_date(_x(root, "completion_date")),
        study_type=_x(root, "study_type"),
        phases=phases,
        allocation=_x(root, "study_design_info/allocation"),
        intervention_model=_x(root, "study_design_info/intervention_model"),
        masking=_x(root, "study_design_info/masking"),
        primary_purpose=enum_value(_x(root, "study_design_info/primary_purpose")),
        enrollment=_fig(
            " ".join((enrollment.text or "").split()) if enrollment is not None else None,
            "/clinical_study/enrollment",
        ),
        enrollment_type=enrollment.get("type", "") if enrollment is not None else "",
        conditions=tuple(" ".join((c.text or "").split()) for c in root.findall("condition")),
        condition_meshes=_xml_meshes(root, "condition_browse"),
        intervention_meshes=_xml_meshes(root, "intervention_browse"),
        keywords=tuple(" ".join((c.text or "").split()) for c in root.findall("keyword")),
        arms=tuple(arms),
        interventions=tuple(interventions),
        eligibility=_x(root, "eligibility/criteria/textblock"),
        minimum_age=_x(root, "eligibility/minimum_age"),
        maximum_age=_x(root, "eligibility/maximum_age"),
        sex=_x(root, "eligibility/gender"),
        lead_sponsor=_x(root, "sponsors/lead_sponsor/agency"),
        collaborators=tuple(_x(c, "agency") for c in root.findall("sponsors/collaborator")),
        declared_outcomes=tuple(declared),
        **_xml_results(root.find("clinical_results")),
    )


def _xml_groups(parent: ET.Element | None) -> tuple[Group, ...]:
    if parent is None:
        return ()
    return tuple(
        Group(id=g.get("group_id", ""), title=_x(g, "title"), description=_x(g, "description"))
        for g in parent.findall("group_list/group")
    )


def _attr(el: ET.Element, name: str, at: str, keep_na: bool = False) -> Figure | None:
    """An attribute's value as a figure, with its XPath (``at``: the element's)."""
    return _fig(el.get(name), f"{at}/@{name}", keep_na)


def _xml_results(cr: ET.Element | None) -> dict[str, Any]:
    """The results section of a legacy record, as :func:`_json_results` reads API v2's:
    each figure with the XPath of the attribute or element that states it."""
    if cr is None:
        return {}
    base = "/clinical_study/clinical_results"
    out: dict[str, Any] = {}
    pf = cr.find("participant_flow")
    out["flow_groups"] = _xml_groups(pf)
    flow = []
    period = pf.find("period_list/period") if pf is not None else None  # the overall study
    if period is not None:
        for m_i, milestone in enumerate(period.findall("milestone_list/milestone"), 1):
            for p_i, part in enumerate(milestone.findall("participants_list/participants"), 1):
                at = (
                    f"{base}/participant_flow/period_list/period[1]/milestone_list/"
                    f"milestone[{m_i}]/participants_list/participants[{p_i}]"
                )
                count = _attr(part, "count", at)
                if count is not None:
                    flow.append(
                        FlowCount(
                            group_id=part.get("group_id", ""),
                            milestone=enum_value(_x(milestone, "title")),
                            count=count,
                        )
                    )
    out["flow"] = tuple(flow)
    outcomes = []
    for o_i, om in enumerate(cr.findall("outcome_list/outcome"), 1):
        p = f"{base}/outcome_list/outcome[{o_i}]"
        measure = om.find("measure")
        measurements = []
        classes = measure.findall("class_list/class") if measure is not None else []
        for c_i, cls in enumerate(classes, 1):
            for k_i, cat in enumerate(cls.findall("category_list/category"), 1):
                for m_i, m in enumerate(cat.findall("measurement_list/measurement"), 1):
                    mp = (
                        f"{p}/measure/class_list/class[{c_i}]/category_list/category[{k_i}]"
                        f"/measurement_list/measurement[{m_i}]"
                    )
                    if m.get("value") in (None, ""):
                        continue
                    measurements.append(
                        Measurement(
                            group_id=m.get("group_id", ""),
                            value=Figure(text=str(m.get("value")), pointer=f"{mp}/@value"),
                            lower=_attr(m, "lower_limit", mp, keep_na=True),
                            upper=_attr(m, "upper_limit", mp, keep_na=True),
                            spread=_attr(m, "spread", mp),
                            # the element's text says why a figure is "NA"
                            comment=_fig(" ".join((m.text or "").split()), f"{mp}/text()"),
                            category=" ".join(
                                x for x in (_x(cls, "title"), _x(cat, "title")) if x
                            ).strip(),
                        )
                    )
        analyses = []
        for a_i, an in enumerate(om.findall("analysis_list/analysis"), 1):
            ap = f"{p}/analysis_list/analysis[{a_i}]"

            def element(
                tag: str, keep_na: bool = False, an: ET.Element = an, ap: str = ap
            ) -> Figure | None:
                return _fig(_x(an, tag) or None, f"{ap}/{tag}", keep_na)

            analyses.append(
                Analysis(
                    group_ids=tuple(
                        " ".join((g.text or "").split())
                        for g in an.findall("group_id_list/group_id")
                    ),
                    param_type=_x(an, "param_type"),
                    value=element("param_value"),
                    ci_percent=_x(an, "ci_percent"),
                    ci_sides=_x(an, "ci_n_sides"),
                    lower=element("ci_lower_limit", keep_na=True),
                    upper=element("ci_upper_limit", keep_na=True),
                    upper_comment=element("ci_upper_limit_na_comment"),
                    p_value=element("p_value"),
                    method=_x(an, "method"),
                    dispersion_type=_x(an, "dispersion_type"),
                    dispersion=element("dispersion_value"),
                    hypothesis=_x(an, "non_inferiority_type"),
                    comments=_comments(
                        _x(an, k)
                        for k in (
                            "method_desc",
                            "p_value_desc",
                            "estimate_desc",
                            "non_inferiority_desc",
                        )
                    ),
                )
            )
        denoms = []
        if measure is not None:
            for c_i, c in enumerate(
                measure.findall("analyzed_list/analyzed[1]/count_list/count"), 1
            ):
                at = f"{p}/measure/analyzed_list/analyzed[1]/count_list/count[{c_i}]"
                fig = _attr(c, "value", at)
                if fig is not None:
                    denoms.append((c.get("group_id", ""), fig))
        outcomes.append(
            Outcome(
                type=enum_value(_x(om, "type")),
                title=_x(om, "title"),
                description=_x(om, "description"),
                time_frame=_x(om, "time_frame"),
                param_type=enum_value(_x(measure, "param")),
                dispersion_type=_x(measure, "dispersion"),
                unit=_x(measure, "units"),
                groups=_xml_groups(om),
                denominators=tuple(denoms),
                measurements=tuple(measurements),
                analyses=tuple(analyses),
            )
        )
    out["outcomes"] = tuple(outcomes)
    re_ = cr.find("reported_events")
    out["event_groups"] = _xml_groups(re_)
    events = []
    for key, serious in (("serious_events", True), ("other_events", False)):
        section = re_.find(key) if re_ is not None else None
        if section is None:
            continue
        vocab = _x(section, "default_vocab")
        for k_i, cat in enumerate(section.findall("category_list/category"), 1):
            system = _x(cat, "title")
            if system.lower() == "total":  # the groups' totals, as API v2's eventGroups
                continue
            for e_i, ev in enumerate(cat.findall("event_list/event"), 1):
                row = (
                    f"{base}/reported_events/{key}/category_list/category[{k_i}]"
                    f"/event_list/event[{e_i}]"
                )
                title = ev.find("sub_title")
                for s_i, counts in enumerate(ev.findall("counts"), 1):
                    at = f"{row}/counts[{s_i}]"
                    events.append(
                        AdverseEvent(
                            term=_x(ev, "sub_title"),
                            organ_system=system,
                            serious=serious,
                            vocabulary=(title.get("vocab") if title is not None else None) or vocab,
                            group_id=counts.get("group_id", ""),
                            affected=_attr(counts, "subjects_affected", at),
                            at_risk=_attr(counts, "subjects_at_risk", at),
                            events=_attr(counts, "events", at),
                            row=row,
                        )
                    )
    out["adverse_events"] = tuple(events)
    out["age"] = _xml_age(cr.find("baseline"))
    return out


def _xml_age(baseline: ET.Element | None) -> BaselineAge | None:
    """The median age of all participants in a legacy baseline table, if it gives one."""
    if baseline is None:
        return None
    groups = _xml_groups(baseline)
    whole = _all_participants(groups)
    for b_i, measure in enumerate(baseline.findall("measure_list/measure"), 1):
        if not _is_median_age(_x(measure, "title"), _x(measure, "param")):
            continue
        p = f"/clinical_study/clinical_results/baseline/measure_list/measure[{b_i}]"
        for c_i, cls in enumerate(measure.findall("class_list/class"), 1):
            for k_i, cat in enumerate(cls.findall("category_list/category"), 1):
                cells = cat.findall("measurement_list/measurement")
                for m_i, m in enumerate(cells, 1):
                    if m.get("group_id") != whole or len(cells) != len(groups):
                        continue
                    mp = (
                        f"{p}/class_list/class[{c_i}]/category_list/category[{k_i}]"
                        f"/measurement_list/measurement[{m_i}]"
                    )
                    median = _attr(m, "value", mp)
                    if median is None:
                        return None
                    full_range = _x(measure, "dispersion").lower() == "full range"
                    return BaselineAge(
                        median=median,
                        minimum=_attr(m, "lower_limit", mp) if full_range else None,
                        maximum=_attr(m, "upper_limit", mp) if full_range else None,
                        unit=_x(measure, "units"),
                    )
    return None
