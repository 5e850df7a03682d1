"""Typed records: the schema of a curated source file (``kg/sources/*.yaml``).

A record file describes one source document: its metadata, and the studies, drugs,
people and publications it states facts about. Every figure carries ``quote``: the exact
words of the document that state it. The format is documented in ``kg/README.md``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    model_validator,
)
from rdflib import URIRef

from trialkg import vocab

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
NCT_RE = re.compile(r"^NCT\d{8}$")


def _matching(pattern: re.Pattern[str], what: str) -> Callable[[str], str]:
    """A validator of values that match ``pattern``; ``what`` says what they must be."""

    def check(value: str) -> str:
        if not pattern.match(value):
            raise ValueError(f"{value!r} is not a valid {what}")
        return value

    return check


_slug = _matching(
    SLUG_RE,
    "id: use lower-case letters, digits and '-' (for example 'patina' or 'palbociclib-arm')",
)


def _in(table: dict[str, URIRef], what: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in table:
            choices = ", ".join(sorted(table))
            raise ValueError(f"unknown {what} {value!r}; expected one of: {choices}")
        return value

    return check


Slug = Annotated[str, AfterValidator(_slug)]
TERM_RE = re.compile(r"^[a-z0-9][a-z0-9/-]*$")
#: a term of the vocabulary or of kg/reference.yaml (a condition, mechanism or drug class)
Term = Annotated[
    str,
    AfterValidator(
        _matching(
            TERM_RE,
            "term: use lower-case letters, digits, '-' and '/' (for example 'cdk4/6-inhibitor')",
        )
    ),
]
Quote = Annotated[list[str], Field(min_length=1)]


def _quotes(value: Any) -> Any:
    """Accept one quote as a string or several as a list."""
    return [value] if isinstance(value, str) else value


class Strict(BaseModel):
    """Base: unknown keys are errors, numbers given for text fields are accepted as text."""

    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)

    @model_validator(mode="before")
    @classmethod
    def _normalise_quote(cls, data: Any) -> Any:
        if isinstance(data, dict) and "quote" in data:
            data = {**data, "quote": _quotes(data["quote"])}
        return data


# Controlled values: str restricted to the keys of a vocabulary table.
V_ALLOCATIONS = Annotated[str, AfterValidator(_in(vocab.ALLOCATIONS, "allocation"))]
V_ARM_ROLES = Annotated[str, AfterValidator(_in(vocab.ARM_ROLES, "arm role"))]
V_ASSESSORS = Annotated[str, AfterValidator(_in(vocab.ASSESSORS, "assessor"))]
V_DESIGN_FEATURES = Annotated[str, AfterValidator(_in(vocab.DESIGN_FEATURES, "design feature"))]
V_DATA_CUT_KINDS = Annotated[str, AfterValidator(_in(vocab.DATA_CUT_KINDS, "data cut kind"))]
V_ENDPOINT_KINDS = Annotated[str, AfterValidator(_in(vocab.ENDPOINT_KINDS, "endpoint kind"))]
V_ENDPOINT_ROLES = Annotated[str, AfterValidator(_in(vocab.ENDPOINT_ROLES, "endpoint role"))]
V_ENROLLMENT_TYPES = Annotated[str, AfterValidator(_in(vocab.ENROLLMENT_TYPES, "enrollment type"))]
V_GRADES = Annotated[str, AfterValidator(_in(vocab.GRADES, "grade"))]
V_HER2_STATUS = Annotated[str, AfterValidator(_in(vocab.HER2_STATUS, "HER2 status"))]
V_HYPOTHESES = Annotated[str, AfterValidator(_in(vocab.HYPOTHESES, "hypothesis"))]
V_HR_STATUS = Annotated[str, AfterValidator(_in(vocab.HR_STATUS, "hormone-receptor status"))]
V_LINES = Annotated[str, AfterValidator(_in(vocab.LINES, "line of therapy"))]
V_MEASURES = Annotated[str, AfterValidator(_in(vocab.MEASURES, "measure"))]
V_PHASES = Annotated[str, AfterValidator(_in(vocab.PHASES, "phase"))]
V_ROUTES = Annotated[str, AfterValidator(_in(vocab.ROUTES, "route"))]
V_SETTINGS = Annotated[str, AfterValidator(_in(vocab.SETTINGS, "setting"))]
V_SIDEDNESS = Annotated[str, AfterValidator(_in(vocab.SIDEDNESS, "sidedness"))]
V_SOURCE_KINDS = Annotated[str, AfterValidator(_in(vocab.SOURCE_KINDS, "document kind"))]
V_STATISTICS = Annotated[str, AfterValidator(_in(vocab.STATISTICS, "statistic"))]
V_STUDY_KINDS = Annotated[str, AfterValidator(_in(vocab.STUDY_KINDS, "study kind"))]
V_UNITS = Annotated[str, AfterValidator(_in(vocab.UNITS, "unit"))]
NonNegDecimal = Annotated[Decimal, Field(ge=0)]


def _number_or_status(value: Any) -> Decimal | str:
    """A figure as a number, or why the source gives none (``not-reached``,
    ``not-estimable``)."""
    if isinstance(value, str) and value.strip() in vocab.VALUE_STATUSES:
        return value.strip()
    if not isinstance(value, bool) and isinstance(value, (int, float, Decimal, str)):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            pass
        else:
            if number.is_finite():
                return number
    statuses = ", ".join(vocab.VALUE_STATUSES)
    raise ValueError(f"expected a number, or one of {statuses} (got {value!r})")


#: a number, or why the source states none: ``not-reached`` (a median survival not reached
#: by the end of follow-up, "NR"), ``not-estimable`` ("NE")
NumberOrStatus = Annotated[Decimal | str, PlainValidator(_number_or_status)]


def number(value: Decimal | str | None) -> Decimal | None:
    """The number of a figure that may be a status instead (None for a status)."""
    return value if isinstance(value, Decimal) else None


class Bibliographic(Strict):
    """Bibliographic fields shared by source documents and cited publications."""

    kind: V_SOURCE_KINDS
    title: str | None = None
    doi: str | None = None
    pmid: str | None = None
    journal: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    published: dt.date | None = None
    accessed: dt.date | None = None
    version_date: dt.date | None = None
    meeting: str | None = None
    abstract_number: str | None = None
    article_type: str | None = None
    publisher: str | None = None
    url: str | None = None
    authors: list[Slug] = []
    author_list: str | None = None
    reports: list[Slug] = []
    quote: list[str] = []

    @model_validator(mode="after")
    def _check_doi(self) -> Bibliographic:
        if self.doi is not None and not re.match(r"^10\.\d{4,9}/\S+$", self.doi):
            raise ValueError(f"doi {self.doi!r} is not a DOI (expected 10.NNNN/...)")
        if self.pmid is not None and not re.match(r"^[1-9]\d{0,9}$", self.pmid):
            raise ValueError(f"pmid {self.pmid!r} is not a PubMed identifier (digits only)")
        return self


class SourceMeta(Bibliographic):
    """The source document itself."""

    id: Slug
    document: str
    cites: list[Slug] = []


class Publication(Bibliographic):
    """A document the source cites or names as the report of a study."""

    id: Slug


class Organization(Strict):
    id: Slug
    name: str
    location: str | None = None
    manufactures: list[Slug] = []
    quote: list[str] = []


class Person(Strict):
    id: Slug
    name: str
    affiliations: list[Slug] = []
    quote: list[str] = []


class Drug(Strict):
    """What the source states about a drug (the drug itself may be in kg/reference.yaml)."""

    id: Slug
    label: str | None = None
    classes: list[Term] = []  # drug classes: the vocabulary's or kg/reference.yaml's
    mechanisms: list[Term] = []  # mechanisms: the vocabulary's or kg/reference.yaml's
    targets: list[Slug] = []
    quote: list[str] = []


class ClassAgent(Strict):
    """A regimen component known only by its drug class ("endocrine therapy")."""

    drug_class: Term  # the vocabulary's or kg/reference.yaml's


Component = Slug | ClassAgent


class Dose(Strict):
    """How one named drug of a regimen is given: the dose per administration and its unit
    (the vocabulary's or kg/reference.yaml's: ``milligram``, ``milligram-per-kilogram``),
    the route, and the schedule in the source's words."""

    drug: Slug
    amount: Annotated[Decimal, Field(gt=0)] | None = None
    unit: Term | None = None
    route: V_ROUTES | None = None
    schedule: str | None = None
    quote: Quote

    @model_validator(mode="after")
    def _parts(self) -> Dose:
        if self.amount is not None and self.unit is None:
            raise ValueError(f"a dose of {self.amount} needs its unit (milligram, ...)")
        if self.unit is not None and self.amount is None:
            raise ValueError("a dose unit needs the amount it is the unit of")
        if self.amount is None and self.route is None and not self.schedule:
            raise ValueError("a dose needs at least one of amount (with unit), route, schedule")
        return self


class Regimen(Strict):
    components: Annotated[list[Component], Field(min_length=1)]
    setting: V_SETTINGS | None = None
    label: str | None = None
    doses: list[Dose] = []


class Count(Strict):
    value: Annotated[int, Field(ge=0)]
    quote: Quote


class Enrollment(Count):
    type: V_ENROLLMENT_TYPES | None = None


class Duration(Strict):
    value: NonNegDecimal
    unit: V_UNITS
    quote: Quote


class Age(Strict):
    median: NonNegDecimal | None = None
    min: NonNegDecimal | None = None
    max: NonNegDecimal | None = None
    unit: V_UNITS
    quote: Quote

    @model_validator(mode="after")
    def _order(self) -> Age:
        present = [v for v in (self.min, self.median, self.max) if v is not None]
        if not present:
            raise ValueError("age needs at least one of median, min, max")
        if present != sorted(present):
            raise ValueError(f"age figures must satisfy min <= median <= max (got {present})")
        return self


class Cycles(Strict):
    min: Annotated[int, Field(ge=0)] | None = None
    max: Annotated[int, Field(ge=0)] | None = None
    quote: Quote

    @model_validator(mode="after")
    def _order(self) -> Cycles:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        return self


class Population(Strict):
    conditions: list[Term] = []  # the vocabulary's or kg/reference.yaml's
    biomarkers: list[Slug] = []  # biomarker statuses of kg/reference.yaml ("egfr-mutated")
    hr_status: V_HR_STATUS | None = None
    her2_status: V_HER2_STATUS | None = None
    line: V_LINES | None = None
    setting: V_SETTINGS | None = None
    prior_treatment: list[Component] = []
    progressed_on: list[Component] = []
    prior_treatment_description: str | None = None
    prior_cycles: Cycles | None = None
    age: Age | None = None
    quote: list[str] = []


class Subgroup(Population):
    """A subgroup of the study population that results are reported for ("patients with
    visceral metastases", "PIK3CA-mutated"): its own characteristics (those of the study
    population are inferred), and its size."""

    id: Slug
    label: str
    patients: Count | None = None


class DataCut(Strict):
    """An analysis of the study at a data cut-off that results are reported for (the primary
    analysis, the final analysis of overall survival): results at two data cuts are two
    nodes, not a conflict."""

    id: Slug
    label: str
    kind: V_DATA_CUT_KINDS | None = None
    cutoff: dt.date | None = None  # the data cut-off date
    quote: list[str] = []


class Arm(Strict):
    id: Slug
    label: str
    role: V_ARM_ROLES | None = None
    regimen: Regimen | None = None
    patients: Count | None = None
    quote: list[str] = []


class Endpoint(Strict):
    id: Slug
    kind: V_ENDPOINT_KINDS
    label: str | None = None
    role: V_ENDPOINT_ROLES | None = None
    assessor: V_ASSESSORS | None = None
    reported: bool | None = None
    time_frame: str | None = None
    quote: list[str] = []


class CI(Strict):
    """A confidence interval; a bound may be ``not-reached`` or ``not-estimable`` ("95% CI,
    28.4 to NR")."""

    lower: NumberOrStatus
    upper: NumberOrStatus
    level: Annotated[Decimal, Field(gt=0, lt=1)] = Decimal("0.95")

    @model_validator(mode="after")
    def _order(self) -> CI:
        low, high = number(self.lower), number(self.upper)
        if low is not None and high is not None and low > high:
            raise ValueError(f"CI lower bound {low} is above upper bound {high}")
        return self

    def numbers(self) -> list[Decimal]:
        """The bounds that are numbers."""
        return [b for b in (number(self.lower), number(self.upper)) if b is not None]

    def holds(self, value: Decimal) -> bool:
        """Whether the interval holds ``value`` (a bound with no number holds anything)."""
        low, high = number(self.lower), number(self.upper)
        return (low is None or low <= value) and (high is None or value <= high)


class TimePoint(Strict):
    value: NonNegDecimal
    unit: V_UNITS


class Interval(Strict):
    """An inter-quartile or full range given with a value."""

    lower: Decimal
    upper: Decimal

    @model_validator(mode="after")
    def _order(self) -> Interval:
        if self.lower > self.upper:
            raise ValueError(f"lower limit {self.lower} is above upper limit {self.upper}")
        return self


class ArmResult(Strict):
    arm: Slug
    endpoint: Slug
    measure: V_MEASURES
    value: NumberOrStatus  # or not-reached (a median survival "NR"), not-estimable
    unit: Term | None = None  # the unit vocabulary's or kg/reference.yaml's
    ci: CI | None = None
    sd: NonNegDecimal | None = None  # standard deviation
    se: NonNegDecimal | None = None  # standard error
    iqr: Interval | None = None  # inter-quartile range
    range: Interval | None = None  # full range: the least and the greatest value
    time_point: TimePoint | None = None
    subgroup: Slug | None = None  # a subgroup of the study's ``subgroups``
    data_cut: Slug | None = None  # one of the study's ``data_cuts``
    approximate: bool = False
    note: str | None = None
    quote: Quote

    @model_validator(mode="after")
    def _check(self) -> ArmResult:
        if self.measure != "count" and self.unit is None:
            raise ValueError(f"a {self.measure} result needs a unit (for example month or percent)")
        given = [k for k in ("sd", "se", "iqr", "range") if getattr(self, k) is not None]
        if len(given) > 1:
            raise ValueError(f"give one of sd, se, iqr, range with a value (got {given})")
        value = number(self.value)
        if value is None:
            if self.value == "not-reached" and self.measure != "median":
                raise ValueError(
                    f"only a median can be not-reached (this result is a {self.measure}); "
                    "a figure that cannot be computed is not-estimable"
                )
            if given:
                raise ValueError(f"a {self.value} result has no {given[0]}")
            return self
        share = self.measure not in ("mean", "median", "other")  # not a mean percent change
        if self.unit == "percent" and share and not 0 <= value <= 100:
            raise ValueError(f"a percentage must be between 0 and 100 (got {value})")
        if self.ci is not None and not self.ci.holds(value):
            raise ValueError(
                f"value {value} lies outside its CI [{self.ci.lower}, {self.ci.upper}]"
            )
        holds = [("range", self.range)] + ([("iqr", self.iqr)] if self.measure == "median" else [])
        for name, interval in holds:  # a range holds every value; an IQR holds the median
            if interval is not None and not interval.lower <= value <= interval.upper:
                raise ValueError(
                    f"value {value} lies outside its {name} [{interval.lower}, {interval.upper}]"
                )
        return self


class PValue(Strict):
    value: Annotated[Decimal, Field(ge=0, le=1)]
    comparator: str = "="
    sided: V_SIDEDNESS | None = None

    @model_validator(mode="after")
    def _check(self) -> PValue:
        if self.comparator not in vocab.P_COMPARATORS:
            raise ValueError(
                f"p-value comparator {self.comparator!r} must be one of {list(vocab.P_COMPARATORS)}"
            )
        return self


class Comparison(Strict):
    """A between-arm comparison, optionally with an effect estimate (statistic and value)."""

    endpoint: Slug
    experimental: Slug
    comparator: Slug
    subgroup: Slug | None = None  # a subgroup of the study's ``subgroups``
    data_cut: Slug | None = None  # one of the study's ``data_cuts``
    statistic: V_STATISTICS | None = None
    value: Decimal | None = None
    unit: Term | None = None  # the unit vocabulary's or kg/reference.yaml's
    ci: CI | None = None
    p_value: PValue | None = None
    significant: bool | None = None
    method: str | None = None
    # what the test sets out to show; a non-inferiority or equivalence test with its margin,
    # on the estimate's scale (a hazard ratio of 1.25)
    hypothesis: V_HYPOTHESES | None = None
    margin: Decimal | None = None
    note: str | None = None
    quote: Quote

    @model_validator(mode="after")
    def _check(self) -> Comparison:
        if self.experimental == self.comparator:
            raise ValueError("experimental and comparator arms must differ")
        if self.margin is not None:
            if self.hypothesis not in vocab.MARGIN_HYPOTHESES:
                raise ValueError(
                    "a margin belongs to a non-inferiority or equivalence test: give "
                    "hypothesis: non-inferiority (or equivalence)"
                )
            if self.statistic in vocab.RATIO_STATISTICS and self.margin <= 0:
                raise ValueError(f"the margin of a {self.statistic} must be greater than 0")
        if (self.statistic is None) != (self.value is None):
            raise ValueError("statistic and value go together: give both or neither")
        if self.ci is not None and self.value is None:
            raise ValueError("a CI needs a statistic and value")
        if self.statistic in vocab.RATIO_STATISTICS and self.value is not None:
            if self.value <= 0 or (self.ci is not None and any(b <= 0 for b in self.ci.numbers())):
                raise ValueError(f"a {self.statistic} and its CI must be greater than 0")
            if self.unit is not None:
                raise ValueError(f"a {self.statistic} is dimensionless: remove the unit")
        elif self.value is not None and self.unit is None:
            raise ValueError(f"a {self.statistic} needs a unit (for example percent)")
        if (
            self.statistic == "rate-difference"
            and self.unit == "percent"
            and self.value is not None
        ):
            bounds = [self.value] + (self.ci.numbers() if self.ci else [])
            if not all(-100 <= b <= 100 for b in bounds):
                raise ValueError(
                    "a difference of percentages lies between -100 and 100 percentage points"
                )
        if self.ci is not None and self.value is not None and not self.ci.holds(self.value):
            raise ValueError(
                f"value {self.value} lies outside its CI [{self.ci.lower}, {self.ci.upper}]"
            )
        if self.significant is None and self.p_value is None and self.value is None:
            raise ValueError("a comparison needs at least one of significant, p_value, value")
        return self


class AdverseEvent(Strict):
    arm: Slug
    event: Slug
    event_label: str | None = None
    grade: V_GRADES
    percentage: Annotated[Decimal, Field(ge=0, le=100)] | None = None
    count: Annotated[int, Field(ge=0)] | None = None
    at_risk: Annotated[int, Field(ge=0)] | None = None
    serious: bool | None = None
    data_cut: Slug | None = None  # one of the study's ``data_cuts``
    approximate: bool = False
    note: str | None = None
    quote: Quote

    @model_validator(mode="after")
    def _check(self) -> AdverseEvent:
        if self.percentage is None and self.count is None:
            raise ValueError("an adverse-event result needs a percentage and/or a count")
        if self.count is not None and self.at_risk is not None and self.count > self.at_risk:
            raise ValueError(f"count {self.count} exceeds patients at risk {self.at_risk}")
        return self


class FollowUp(Duration):
    pass


class Study(Strict):
    id: Slug
    label: str
    acronym: str | None = None
    title: str | None = None
    kind: V_STUDY_KINDS | None = None
    allocation: V_ALLOCATIONS | None = None
    phase: V_PHASES | None = None
    design: list[V_DESIGN_FEATURES] = []
    registry_ids: list[str] = []
    status: str | None = None
    enrollment: Enrollment | None = None
    follow_up: FollowUp | None = None
    funders: list[Slug] = []
    sponsors: list[Slug] = []
    investigators: list[Slug] = []
    reported_in: list[Slug] = []
    population: Population | None = None
    subgroups: list[Subgroup] = []
    data_cuts: list[DataCut] = []
    arms: list[Arm] = []
    endpoints: list[Endpoint] = []
    results: list[ArmResult] = []
    comparisons: list[Comparison] = []
    adverse_events: list[AdverseEvent] = []
    quote: list[str] = []

    @model_validator(mode="after")
    def _check_ids(self) -> Study:
        for reg in self.registry_ids:
            if reg.startswith("NCT") and not NCT_RE.match(reg):
                raise ValueError(f"registry id {reg!r} is not an NCT number (NCT + 8 digits)")
        return self


class SourceRecord(Strict):
    """One curated source file."""

    source: SourceMeta
    publications: list[Publication] = []
    organizations: list[Organization] = []
    people: list[Person] = []
    drugs: list[Drug] = []
    studies: list[Study] = []


class ReferenceEntity(Strict):
    """A shared entity with names used to recognise it and identifiers in other resources."""

    id: Slug
    label: str
    synonyms: list[str] = []
    mappings: list[str] = []


class ReferenceDrug(ReferenceEntity):
    """A drug of the reference vocabulary, with its classes, mechanisms and targets."""

    classes: list[Term] = []
    mechanisms: list[Term] = []
    targets: list[Slug] = []


class ReferenceTarget(ReferenceEntity):
    """A molecular target."""


class ReferenceCondition(ReferenceEntity):
    """A condition the vocabulary lacks (another cancer, another stage), below a broader one."""

    broader: Term | None = None


class ReferenceBiomarkerStatus(ReferenceEntity):
    """A biomarker status that defines populations ("EGFR-mutated"), of a target."""

    target: Slug | None = None


class ReferenceMechanism(ReferenceEntity):
    """A mechanism of action the vocabulary lacks."""


class ReferenceDrugClass(ReferenceEntity):
    """A drug class the vocabulary lacks, a subclass of drug or of a ``broader`` class."""

    broader: Term | None = None


class ReferenceUnit(ReferenceEntity):
    """A unit the vocabulary lacks, of results ("mg/dL", "score on a scale") or of doses
    ("mg/m²"); its ``mappings`` name the same unit in UO ("UO:0000...")."""


class ReferenceAdverseEvent(ReferenceEntity):
    """A kind of adverse event."""


class ReferenceRecord(Strict):
    """kg/reference.yaml: shared entities that no single source defines."""

    drugs: list[ReferenceDrug] = []
    targets: list[ReferenceTarget] = []
    adverse_events: list[ReferenceAdverseEvent] = []
    conditions: list[ReferenceCondition] = []
    mechanisms: list[ReferenceMechanism] = []
    drug_classes: list[ReferenceDrugClass] = []
    biomarker_statuses: list[ReferenceBiomarkerStatus] = []
    units: list[ReferenceUnit] = []
