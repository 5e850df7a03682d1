"""Typed registry records -> RDF in the trialkg ontology (one graph per record version).

The trial, its arms (where they can be matched) and its endpoints share IRIs with the
curated records that name the same NCT number; drugs resolve to the reference drugs by name
or synonym; what cannot be resolved becomes a new node and is listed in the import report.
Every figure's evidence points into the record with a JSON Pointer (API v2) or an XPath
(legacy XML) and quotes the value as the record states it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from trialkg import iri, vocab
from trialkg.records.loader import load_reference, load_source, source_files
from trialkg.sources.ctgov import Analysis, Figure, Group, Intervention, RegistryStudy
from trialkg.terms import TKG
from trialkg.triples.curated import OA, PROV, annotate, expand_curie, link_assertion_graph
from trialkg.triples.ntriples import (
    NTerm,
    TripleLines,
    nt_boolean,
    nt_decimal,
    nt_integer,
    nt_literal,
)

RFC6901 = URIRef("https://www.rfc-editor.org/rfc/rfc6901")


PHASES = {
    "EARLY_PHASE1": "early-1",
    "EARLY PHASE 1": "early-1",
    "PHASE1": "1",
    "PHASE 1": "1",
    "PHASE2": "2",
    "PHASE 2": "2",
    "PHASE3": "3",
    "PHASE 3": "3",
    "PHASE4": "4",
    "PHASE 4": "4",
    "NA": "not-applicable",
    "N/A": "not-applicable",
}
ROLES = {
    "EXPERIMENTAL": "experimental",
    "ACTIVE_COMPARATOR": "active-comparator",
    "PLACEBO_COMPARATOR": "placebo-comparator",
    "NO_INTERVENTION": "no-intervention",
    "SHAM_COMPARATOR": "placebo-comparator",
}
#: registry outcome types -> endpoint roles ("other pre-specified" and post hoc outcomes are
#: exploratory)
OUTCOME_ROLES = {
    "primary": "primary",
    "secondary": "secondary",
    "other": "exploratory",
    "other_pre_specified": "exploratory",
    "post_hoc": "exploratory",
}
STATISTICS = {
    "hazard ratio": "hazard-ratio",
    "odds ratio": "odds-ratio",
    "risk ratio": "risk-ratio",
    "relative risk": "risk-ratio",
    "risk difference": "rate-difference",
    "mean difference": "mean-difference",
}
UNITS = {
    "minute": "minute",
    "minutes": "minute",
    "hour": "hour",
    "hours": "hour",
    "month": "month",
    "months": "month",
    "day": "day",
    "days": "day",
    "week": "week",
    "weeks": "week",
    "year": "year",
    "years": "year",
}
CLASS_PHRASES = {
    "endocrine": "endocrine-therapy",
    "hormon": "endocrine-therapy",
    "chemotherapy": "chemotherapy",
    "anti-her2": "her2-targeted-therapy",
    "her2-targeted": "her2-targeted-therapy",
    "aromatase inhibitor": "aromatase-inhibitor",
    "cdk4/6 inhibitor": "cdk4/6-inhibitor",
}
ENDPOINT_KEYWORDS = [
    ("invasive disease free survival", "idfs"),
    ("invasive disease-free survival", "idfs"),
    ("progression-free survival 2", "pfs2"),
    ("progression free survival 2", "pfs2"),
    ("progression-free survival", "pfs"),
    ("progression free survival", "pfs"),
    ("overall survival", "os"),
    ("objective response", "objective-response"),
    ("overall response", "objective-response"),
    ("clinical benefit", "clinical-benefit"),
    ("adverse event", "safety"),
    ("toxicit", "safety"),
    ("safety", "safety"),
]
#: the same kinds by their abbreviations, whole words as registries write them ("ORR")
ENDPOINT_ABBREVIATIONS = [
    (re.compile(r"\b[iI]DFS\b"), "idfs"),  # invasive; plain DFS is another endpoint
    (re.compile(r"\bPFS ?2\b"), "pfs2"),
    (re.compile(r"\bPFS\b"), "pfs"),
    (re.compile(r"\bOS\b"), "os"),
    (re.compile(r"\bO?RR\b"), "objective-response"),
    (re.compile(r"\bCBR\b"), "clinical-benefit"),
    (re.compile(r"\bT?EAEs?\b|\bSAEs?\b"), "safety"),
]


#: a dose as registries write it in an intervention's description: a number and a unit of
#: mass ("125 mg", "1000mg", "4 mg/kg", "80 mg/m2"), not a rate ("2.5 mg/day") or a
#: concentration ("10 mg/mL")
_DOSE = re.compile(
    r"(?<![\w.,/])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?) ?"
    r"(mg/m2|mg/m²|mg/m\^2|mg/kg|mg|mcg|µg|μg|ug|g)(?![\w/²^])"
)
#: the unit of a dose by how registries write it; mg/m² is kg/reference.yaml's, by its synonyms
DOSE_UNIT_NAMES = {
    "mg": "milligram",
    "g": "gram",
    "mcg": "microgram",
    "µg": "microgram",
    "μg": "microgram",
    "ug": "microgram",
    "mg/kg": "milligram-per-kilogram",
}

#: MeSH UIs had seven characters (a letter and six digits) until late 2013 and have ten since
#: (the letter and nine digits), numbered on from the old ones; the registry pads an old one
#: to ten ("D000001943" for D001943, "C000582435" for C582435). For each kind, the highest
#: seven-character UI and the lowest ten-character one found in public copies: descriptors
#: (D) D066309 and D000066388, supplementary concepts (C, drugs and rare diseases) C587014
#: and C000588642. An id between the two bounds of its kind is not mapped.
MESH_BOUNDS = {"D": (66309, 66388), "C": (587014, 588642)}
MESH_UI = re.compile(r"([DC])(\d{6}|\d{9})")


def mesh_ui(ui: str) -> str | None:
    """The MeSH UI (descriptor or supplementary concept) a registry record's id stands for
    ("D000001943" -> "D001943", "C000500026" -> "C500026", "D000077192" as it is); None for
    what is not a MeSH UI or cannot be told apart."""
    m = MESH_UI.fullmatch(ui.strip())
    if m is None:
        return None
    kind, digits = m.groups()
    number = int(digits)
    last_short, first_long = MESH_BOUNDS[kind]
    if len(digits) == 6 or number <= last_short:
        return f"{kind}{number:06d}"
    return f"{kind}{number:09d}" if number >= first_long else None


#: a route of administration by the words and abbreviations registries use; "IV" and "SC"
#: only beside a dose or a word of giving ("stage IV" is no route)
_GIVEN = r"(?:(?<=mg )|(?<=kg )|(?<=m2 )|(?<=m² )|(?<=given )|(?<=administered ))"
_THEN = r"(?=\s+(?:infusion|injection|push|bolus|over|every|on|once|twice|daily|weekly|q\w+)\b)"
_ROUTES = [
    (re.compile(r"\b(?:orally|oral|by mouth)\b", re.I), "oral"),
    (re.compile(rf"\bPO\b|\bp\.o\.(?!\w)|\bpo\b{_THEN}"), "oral"),
    (re.compile(r"\bintravenous(?:ly)?\b", re.I), "intravenous"),
    (re.compile(rf"{_GIVEN}IV\b|\bIV\b{_THEN}|\bi\.v\.(?!\w)"), "intravenous"),
    (re.compile(r"\bsubcutaneous(?:ly)?\b", re.I), "subcutaneous"),
    (re.compile(rf"{_GIVEN}SC\b|\bSC\b{_THEN}|\bs\.c\.(?!\w)"), "subcutaneous"),
    (re.compile(r"\bintramuscular(?:ly)?\b", re.I), "intramuscular"),
    (re.compile(r"\bintrathecal(?:ly)?\b", re.I), "intrathecal"),
    (re.compile(r"\btopical(?:ly)?\b", re.I), "topical"),
]


def _mesh_mappings(mappings: Sequence[str]) -> Iterator[str]:
    """The MeSH UIs among kg/reference.yaml ``mappings`` ("MESH:D001943"), as
    :func:`mesh_ui` reads a registry's ids."""
    for m in mappings:
        prefix, _, ui = m.partition(":")
        if prefix == "MESH":
            yield mesh_ui(ui) or ui


_N = r"(?:\d+|one|two|three|four|five|six|seven|eight|ten|twelve)"
#: the words registries state a dosing schedule with: how often ("once daily", "every 3
#: weeks", "BID", "q3w", "continuously") and which days of a cycle ("days 1-21", "Day 1 to
#: Day 21", "7 days on and 7 days off", "followed by 7 days off treatment", "of each
#: 28-day cycle")
_SCHEDULE = re.compile(
    "|".join(
        (
            rf"\b(?:once|twice|thrice|{_N} times) (?:a |per |each )?(?:day|week|month)\b",
            r"\b(?:once |twice )?(?:daily|weekly|monthly|nightly)\b",
            rf"\b(?:once )?every (?:other )?(?:{_N} )?(?:hours?|days?|weeks?|months?)\b",
            r"\b[qQ] ?\d+ ?(?:h|d|w|wk|wks)\b|\b(?:QD|BID|TID|QID|QW|QOD)\b",
            r"\bcontinuous(?:ly)?\b",
            r"\b(?:on )?days? \d+(?: ?(?:-|–|to|through) ?(?:days? )?\d+)?"
            r"(?:(?:, ?| and )\d+)*(?: and \d+)?\b",
            rf"\b{_N} (?:days?|weeks?) on(?:,? and |, |/| ?- ?){_N} (?:days?|weeks?) off\b",
            rf"\bfollowed by {_N} (?:days?|weeks?) (?:off|of rest)(?: treatment)?\b",
            r"\b(?:(?:of|in|per) )?(?:each |a |every |the )?\d+[- ]day (?:treatment )?cycles?\b",
        )
    ),
    re.I,
)
#: what may stand between two parts of one schedule ("once daily, days 1-21 of ...")
_SCHEDULE_GLUE = re.compile(r"[\s,;]*(?:(?:and|then|followed by|on|for|with)\s+)?")
#: one day alone ("Day 1 of Cycle 1", "seen on Day 1") is a visit as often as a dose
_ONE_DAY = re.compile(r"(?:on )?days? \d+", re.I)


def schedule_in(text: str) -> str | None:
    """The dosing schedule an intervention's description states, in its words: the run of
    schedule phrases with nothing but commas and joining words between them ("once daily,
    days 1-21 of each 28-day cycle"); separate runs joined by "; " in their order ("7 days
    on and 7 days off; BID"); None if it states none. A day alone ("Day 1 of Cycle 1") is
    no schedule."""
    runs: list[list[int]] = []
    for m in _SCHEDULE.finditer(text):
        if runs and _SCHEDULE_GLUE.fullmatch(text, runs[-1][1], m.start()):
            runs[-1][1] = m.end()
        else:
            runs.append([m.start(), m.end()])
    words: list[str] = []
    for start, end in runs:
        run = " ".join(text[start:end].split())
        if _ONE_DAY.fullmatch(run):
            continue
        if run.lower() not in (w.lower() for w in words):
            words.append(run)
    return "; ".join(words) or None


def _drug_id(node: URIRef) -> str:
    """The id of a drug node (``palbociclib``; ``any-endocrine-therapy`` for an agent known
    only by its class)."""
    return str(node).rsplit("/", 1)[1]


def _named_drug(node: URIRef) -> bool:
    """Whether a regimen component is a named drug, not an agent known only by its class."""
    return not _drug_id(node).startswith("any-")


def dose_in(text: str) -> tuple[str, Decimal, str] | None:
    """The one dose an intervention's description states: the words that state it ("125
    mg"), the amount and the unit as written ("mg"); None if it states none, or several
    (a dose escalation, two drugs): the description is kept whole either way."""
    found: dict[tuple[Decimal, str], str] = {}
    for m in _DOSE.finditer(text):  # the words of its first statement
        found.setdefault((Decimal(m.group(1).replace(",", "")), m.group(2)), m.group(0))
    if len(found) != 1:
        return None
    (((amount, unit), words),) = found.items()
    return words, amount, unit


def route_in(text: str) -> str | None:
    """The one route an intervention's description names (``vocab.ROUTES`` key), else
    None (none, or several: "orally or intravenously")."""
    routes = {route for pattern, route in _ROUTES if pattern.search(text)}
    return routes.pop() if len(routes) == 1 else None


#: a registry's dispersion types (API v2 names; legacy XML's words, upper case, "_" for
#: spaces and "-") -> the kind of figure and the dispersion type the graph names
DISPERSIONS = {
    "STANDARD_DEVIATION": ("spread", vocab.DISPERSION_TYPES["sd"]),
    "STANDARD_ERROR": ("spread", vocab.DISPERSION_TYPES["se"]),
    "STANDARD_ERROR_OF_MEAN": ("spread", vocab.DISPERSION_TYPES["se"]),
    "STANDARD_ERROR_OF_THE_MEAN": ("spread", vocab.DISPERSION_TYPES["se"]),  # legacy XML
    "GEOMETRIC_COEFFICIENT": ("spread", vocab.DISPERSION_TYPES["gcv"]),
    "GEOMETRIC_COEFFICIENT_OF_VARIATION": ("spread", vocab.DISPERSION_TYPES["gcv"]),
    "INTER_QUARTILE_RANGE": ("limits", vocab.DISPERSION_TYPES["iqr"]),
    "FULL_RANGE": ("limits", vocab.DISPERSION_TYPES["range"]),
}
#: API v2's confidence levels ("CONFIDENCE_975" is 97.5%)
CONFIDENCE_LEVELS = {"80": "0.80", "90": "0.90", "95": "0.95", "975": "0.975", "99": "0.99"}


@lru_cache(maxsize=256)
def dispersion_kind(text: str) -> tuple[str, str]:
    """What a registry's dispersion type names: ``("ci", level)`` for a confidence
    interval (``level`` a fraction, ``""`` when the record does not state it), ``("spread",
    type)`` for one figure (standard deviation, standard error), ``("limits", type)`` for an
    interval that is not a confidence interval (inter-quartile range, full range), or
    ``("", "")`` for none ("NA", "")."""
    key = re.sub(r"[\s-]+", "_", text.strip().upper())
    if "CONFIDENCE" in key:
        api = re.fullmatch(r"CONFIDENCE_(\d+)", key)
        if api:
            return "ci", CONFIDENCE_LEVELS.get(api.group(1), "")
        pct = re.match(r"(\d+(?:\.\d+)?)\s*%", text.strip())
        return "ci", str(Decimal(pct.group(1)) / 100) if pct else ""
    return DISPERSIONS.get(key, ("", ""))


@lru_cache(maxsize=1024)
def statistic_kind(param_type: str) -> str | None:
    """The statistic a registry analysis's parameter names ("Hazard Ratio (HR)", "Difference
    of Least Square (LS) Means", "MEAN_DIFFERENCE"), or None; a statistic on the log scale
    ("Log Hazard Ratio") is none of the vocabulary's."""
    low = re.sub(r"[_\s]+", " ", param_type.lower())
    if re.search(r"\blog\b|\bln\b", low):
        return None
    found = next((v for k, v in STATISTICS.items() if k in low), None)
    if found is None and re.search(r"\bdifference\b", low):
        if re.search(r"\bmeans?\b", low):
            return "mean-difference"
        if re.search(r"\b(proportions?|rates?)\b", low):
            return "rate-difference"
    return found


def hypothesis_kind(text: str) -> str | None:
    """The tested hypothesis a registry names (API v2's ``NON_INFERIORITY_OR_EQUIVALENCE``,
    the legacy XML's "Non-Inferiority or Equivalence (legacy)"), as a key of
    :data:`vocab.HYPOTHESES`; None for none or a name not known."""
    words = re.sub(r"\(?legacy\)?", " ", text.lower())
    key = "-".join(re.findall(r"[a-z]+", words.replace("non-inferiority", "noninferiority")))
    key = key.replace("noninferiority", "non-inferiority")
    return key if key in vocab.HYPOTHESES else None


def endpoint_kind(title: str) -> str:
    """The endpoint kind a registry outcome's title names (``"other"`` if none)."""
    low = title.lower()
    for phrase, kind in ENDPOINT_KEYWORDS:
        if phrase in low:
            return kind
    return next((kind for rx, kind in ENDPOINT_ABBREVIATIONS if rx.search(title)), "other")


def _unique(base: str, taken: Collection[str]) -> str:
    """``base``, or ``base-2``, ``base-3``, ... the first that ``taken`` does not hold."""
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    return name


def slug(text: str) -> str:
    """A readable id from free text: lower case, ``a-z0-9`` and ``-``."""
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return (s or "x")[:60].rstrip("-")


@dataclass
class CuratedStudy:
    slug: str
    arms: dict[str, frozenset[str]] = field(default_factory=dict)
    endpoints: dict[str, str] = field(default_factory=dict)


@dataclass
class Context:
    """What the importer resolves against: curated studies and the drug lexicon."""

    studies: dict[str, CuratedStudy]
    lexicon: dict[str, str]
    conditions: dict[str, URIRef] = field(default_factory=dict)  # name (lower case) -> term
    documents: dict[str, URIRef] = field(default_factory=dict)  # "doi:…", "pmid:…" -> node
    units: dict[str, URIRef] = field(default_factory=dict)  # name (lower case) -> unit
    meshes: dict[str, URIRef] = field(default_factory=dict)  # MeSH UI -> condition
    drug_meshes: dict[str, str] = field(default_factory=dict)  # MeSH UI -> drug id
    _named: dict[str, str | None] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        # the unit vocabulary's by its names ("months": month), then kg/reference.yaml's
        self.units = {name: vocab.UNITS[key] for name, key in UNITS.items()} | self.units
        # the terms a name may contain, longest first, and one expression for any of them
        self._terms = sorted(
            ((t, d) for t, d in self.lexicon.items() if len(t) > 3), key=lambda kv: -len(kv[0])
        )
        words = "|".join(re.escape(t) for t, _d in self._terms)
        self._any_term = re.compile(rf"\b(?:{words})\b") if self._terms else None

    @classmethod
    def from_records(cls, records_dir: Path) -> Context:
        studies: dict[str, CuratedStudy] = {}
        documents: dict[str, URIRef] = {}
        for path in source_files(records_dir):
            rec, _ = load_source(path)
            for node, bib in [
                (iri.source(rec.source.id), rec.source),
                *((iri.publication(p.id), p) for p in rec.publications),
            ]:
                if bib.doi:
                    documents.setdefault(f"doi:{bib.doi.lower()}", node)
                if bib.pmid:
                    documents.setdefault(f"pmid:{bib.pmid}", node)
            for st in rec.studies:
                for reg in st.registry_ids:
                    cs = studies.setdefault(reg, CuratedStudy(st.id))
                    for arm in st.arms:
                        if arm.regimen is not None:
                            named = frozenset(
                                c for c in arm.regimen.components if isinstance(c, str)
                            )
                            cs.arms.setdefault(arm.id, named)
                    for ep in st.endpoints:
                        cs.endpoints.setdefault(ep.kind, ep.id)
        lexicon: dict[str, str] = {}
        # the vocabulary's conditions by their names ("advanced-breast-cancer": "advanced
        # breast cancer"), then those kg/reference.yaml adds, by label and synonym
        conditions = {key.replace("-", " "): term for key, term in vocab.CONDITIONS.items()}
        meshes: dict[str, URIRef] = {}
        drug_meshes: dict[str, str] = {}
        ref_path = records_dir / "reference.yaml"
        if ref_path.is_file():
            ref, _ = load_reference(ref_path)
            for d in ref.drugs:
                for name in (d.id, d.label, *d.synonyms):
                    lexicon[name.lower()] = d.id
                for ui in _mesh_mappings(d.mappings):  # a drug a registry's heading names
                    drug_meshes[ui] = d.id
            for c in ref.conditions:
                for name in (c.id, c.label, *c.synonyms):
                    conditions[name.lower()] = iri.condition(c.id)
                for ui in _mesh_mappings(c.mappings):  # a condition a registry's heading names
                    meshes[ui] = iri.condition(c.id)
            units = {
                name.lower(): iri.unit(u.id)
                for u in ref.units
                for name in (u.id, u.label, *u.synonyms)
            }
        else:
            units = {}
        return cls(studies, lexicon, conditions, documents, units, meshes, drug_meshes)

    def drug_named(self, low: str) -> str | None:
        """The drug an intervention's name (lower case) names: the lexicon's entry for the
        whole name, else for the longest term of more than three characters found in it
        as a word; remembered per name (registry names repeat across records). The lexicon is
        read when the context is made."""
        if low in self._named:
            return self._named[low]
        found = self.lexicon.get(low)
        if found is None and self._any_term is not None and self._any_term.search(low):
            for term, drug_id in self._terms:  # the longest term found wins
                if re.search(rf"\b{re.escape(term)}\b", low):
                    found = drug_id
                    break
        self._named[low] = found
        return found


@dataclass
class ImportReport:
    file: str
    nct_id: str = ""
    source_id: str = ""
    triples: int = 0
    new_drugs: list[str] = field(default_factory=list)
    new_units: list[str] = field(default_factory=list)
    not_drugs: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    error: str = ""


def _number(fig: Figure | None) -> tuple[Decimal, str] | None:
    """The number a figure states, and its comparator ('<0.001' -> (0.001, '<'); '<.05',
    '≤0.05' and '1.2E-5' are read too)."""
    if fig is None:
        return None
    m = _NUMBER.match(fig.text)
    if not m:
        return None
    try:
        op = {"≤": "<=", "≥": ">="}.get(m.group(1), m.group(1))
        return Decimal(m.group(2)), op or "="
    except InvalidOperation:
        return None


#: what a record's comment says of a figure it gives as "NA"
_NOT_REACHED = re.compile(
    r"(?i:\bnot\s+(?:yet\s+)?(?:been\s+|be\s+)?(?:reached|achieved|attained)\b)|\bNR\b"
)
_NOT_ESTIMABLE = re.compile(
    r"(?i:\b(?:not|cannot)\s+(?:be\s+)?(?:estimable|estimated|evaluable|calculable|calculated"
    r"|computed)\b|\bnon-?estimable\b|\b(?:insufficient|too\s+few|low)\s+(?:number\s+of\s+)?"
    r"(?:events?|participants|patients|subjects)\b)|\bNE\b"
)
_NOT_STATED = frozenset({"NA", "N/A", "NR", "NE"})


def value_status(fig: Figure | None, comment: Figure | None, bound: bool = False) -> str | None:
    """Why a registry gives a figure as "NA", from the record's comment on it:
    ``not-reached`` ("median not reached"), ``not-estimable`` ("not estimable due to an
    insufficient number of events"), or None (no figure "NA", or a comment that says neither).
    When a comment says both, a value is taken as not reached and a bound as not
    estimable."""
    if fig is None or fig.text.strip().upper() not in _NOT_STATED:
        return None
    words = " ".join(t for t in (fig.text, comment.text if comment else "") if t)
    reached = bool(_NOT_REACHED.search(words))
    estimable = bool(_NOT_ESTIMABLE.search(words))
    if reached and (not estimable or not bound):
        return "not-reached"
    return "not-estimable" if estimable else None


_DOI = re.compile(r"\b10\.\d{4,9}/[^\s]+")
_INERT = re.compile(r"\b(placebos?|sham|vehicle)\b")

_NUMBER = re.compile(
    r"^\s*(<=|>=|<|>|=|≤|≥)?\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*$"
)


_PEOPLE = re.compile(r"(?:(?:number|count) of )?(?:participants|patients|subjects|people)")
_PERCENT = re.compile(r"\bpercent(?:age)?s?\b|%")  # "percentage of participants"; not "percentile"
#: what a unit's symbols say in words, for its id ("µg/mL" -> "microg-per-ml")
_UNIT_WORDS = str.maketrans(
    {
        "µ": "micro",
        "μ": "micro",
        "/": " per ",
        "%": " percent ",
        "°": " degree ",
        "²": "2",
        "³": "3",
        "×": " x ",
        "*": " x ",
    }
)


def unit_slug(name: str) -> str:
    """A unit's id from its name: ``"mg/dL"`` -> ``"mg-per-dl"`` (``"µg/mL"`` and
    ``"g/mL"`` stay apart)."""
    return slug(name.translate(_UNIT_WORDS))


def version_slug(text: str) -> str:
    """ISO date of a record version ('2023-06-15', 'July 24, 2020' -> '2020-07-24')."""
    for fmt in ("%Y-%m-%d", "%B %d, %Y", "%Y-%m", "%B %Y"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date().isoformat()
        except ValueError:
            continue
    return slug(text) if text else "undated"


def normalise_status(text: str) -> str:
    """Status in API v2 form: 'Active, not recruiting' -> ACTIVE_NOT_RECRUITING."""
    return re.sub(r"[^A-Z]+", "_", text.upper()).strip("_")


class _Emitter:
    def __init__(self, rec: RegistryStudy, ctx: Context, report: ImportReport) -> None:
        self.rec, self.ctx, self.report = rec, ctx, report
        self.g = TripleLines()
        version = version_slug(rec.version_date)
        kind = "xml" if rec.format.endswith("xml") else "json"
        self.sid = f"ctgov-{rec.nct_id.lower()}-{version}-{kind}"
        report.source_id = self.sid
        self.source = iri.source(self.sid)
        curated = ctx.studies.get(rec.nct_id)
        if curated is None:
            for alias in rec.aliases:
                curated = ctx.studies.get(alias)
                if curated:
                    break
        self.curated = curated or CuratedStudy(rec.nct_id.lower())
        self.study_id = self.curated.slug
        self.study = iri.study(self.study_id)
        self.arm_ids: dict[str, str] = {}
        self.analyses_of_pair: dict[tuple[str, str, str], int] = {}
        self.cited: list[URIRef] = []  # the publications it lists, for its provenance

    def add(self, s: URIRef, p: URIRef, o: object) -> None:
        if o is not None and o != "":
            if type(o) is str:
                o = nt_literal(o)
            elif not isinstance(o, (URIRef, Literal, NTerm)):
                o = Literal(o)
            self.g.add((s, p, o))

    def at(self, fig: Figure) -> str:
        """Where the file states ``fig``: its pointer in the record, after the record's own
        place in the file (``/studies/3`` in a page of search results)."""
        return self.rec.pointer_base + fig.pointer

    def evidence(self, subject: URIRef, fig: Figure, props: Sequence[URIRef]) -> None:
        """Evidence pointing into the file: JSON Pointer (API v2) or XPath (legacy XML)."""
        pointer = self.at(fig)
        ev = annotate(self.g, self.sid, subject, props, fig.text, key=pointer)
        target, selector = URIRef(f"{ev}/target"), URIRef(f"{ev}/selector")
        self.g.add((target, OA.hasSelector, selector))
        if pointer.startswith("/clinical_study"):
            self.g.add((selector, RDF.type, OA.XPathSelector))
        else:
            self.g.add((selector, RDF.type, OA.FragmentSelector))
            self.g.add((selector, DCTERMS.conformsTo, RFC6901))
        self.g.add((selector, RDF.value, nt_literal(pointer)))

    # -- drugs and arms -----------------------------------------------------------------------

    def agent(self, name: str, kind: str, other_names: Sequence[str] = ()) -> URIRef | None:
        """The drug or drug class an intervention names (by its name, else by one of its
        other names: "PD-0332991", also known as palbociclib), a new drug, or None."""
        low = name.lower()
        if _INERT.search(low):  # "Placebo", "placebo for palbociclib": the arm's role says it
            self.report.not_drugs.append(f"{kind}: {name} (a placebo, not a drug)")
            return None
        for known in (low, *(n.lower() for n in other_names)):
            drug_id = self.ctx.drug_named(known)
            if drug_id is not None:
                return iri.drug(drug_id)
        for phrase, cls in CLASS_PHRASES.items():
            if phrase in low:
                return iri.class_agent(cls)
        if kind.upper() not in ("DRUG", "BIOLOGICAL", "COMBINATION_PRODUCT"):
            self.report.not_drugs.append(f"{kind}: {name}")
            return None
        node = iri.drug(slug(name))
        self.g.add((node, RDF.type, TKG.Drug))
        self.g.add((node, RDFS.label, nt_literal(name)))
        self.report.new_drugs.append(name)
        return node

    def arms(self) -> None:
        rec = self.rec
        by_arm: dict[str, list[URIRef]] = {}
        named_in: dict[str, list[tuple[URIRef, Intervention]]] = {}  # arm -> its named drugs
        names: dict[str, URIRef] = {}  # each name (lower case) of a named drug of the record
        for itv in rec.interventions:
            node = self.agent(itv.name, itv.type, itv.other_names)
            if node is None:
                continue
            if _named_drug(node):
                for name in (itv.name, *itv.other_names):
                    names.setdefault(" ".join(name.lower().split()), node)
            for label in itv.arm_labels:
                by_arm.setdefault(label, []).append(node)
                if _named_drug(node):
                    named_in.setdefault(label, []).append((node, itv))
        self.drug_headings(names)
        for arm in rec.arms:
            components = by_arm.get(arm.title, [])
            named = frozenset(_drug_id(c) for c in components if _named_drug(c))
            arm_id = slug(arm.title)
            for curated_id, drugs in sorted(self.curated.arms.items()):
                if drugs == named and curated_id not in self.arm_ids.values():
                    arm_id = curated_id  # the curated arm of the same drugs, once
                    break
            arm_id = _unique(arm_id, self.arm_ids.values())  # two labels with one slug
            self.arm_ids[arm.title] = arm_id
            a = iri.arm(self.study_id, arm_id)
            self.add(a, RDF.type, TKG.Arm)
            self.add(a, RDFS.label, nt_literal(arm.title))
            self.add(a, TKG.description, arm.description)
            self.add(self.study, TKG.hasArm, a)
            self.add(a, TKG.armOf, self.study)
            self.add(a, TKG.ofStudy, self.study)
            role = ROLES.get(arm.role.upper().replace(" ", "_"), "other" if arm.role else "")
            if role:
                self.add(a, TKG.armRole, vocab.ARM_ROLES[role])
            if components:
                r = iri.regimen(self.study_id, arm_id)
                self.add(r, RDF.type, TKG.Regimen)
                self.add(r, RDFS.label, nt_literal(f"regimen of {arm.title}"))
                self.add(a, TKG.hasRegimen, r)
                self.add(r, TKG.regimenOf, a)
                for c in components:
                    self.add(r, TKG.hasComponent, c)
                    self.add(c, TKG.componentOf, r)
                self.dosages(r, arm, arm_id, named_in.get(arm.title, []))

    def drug_headings(self, names: dict[str, URIRef]) -> None:
        """Align the record's named drugs to the MeSH UIs of the registry's intervention
        headings. A heading names a drug of the record by the UI kg/reference.yaml maps it
        to, by one of its intervention's names, or by the drug lexicon ("Ado-trastuzumab
        emtansine" for an intervention "T-DM1"); the drug gets ``skos:exactMatch`` the
        heading's UI unless kg/reference.yaml already maps it to MeSH. A heading that names
        none of the record's drugs, an id that is no MeSH UI, and a UI other than the one
        kg/reference.yaml gives are reported, not mapped."""
        drugs = set(names.values())
        for heading in self.rec.intervention_meshes:
            ui = mesh_ui(heading.id)
            label = f"MeSH heading {heading.term!r}" + (f" ({heading.id})" if heading.id else "")
            low = " ".join(heading.term.lower().split())
            by_ui = self.ctx.drug_meshes.get(ui) if ui else None
            by_name = self.ctx.drug_named(low)
            node = next(
                (
                    n
                    for n in (
                        iri.drug(by_ui) if by_ui else None,
                        names.get(low),
                        iri.drug(by_name) if by_name else None,
                    )
                    if n is not None and n in drugs
                ),
                None,
            )
            if node is None:
                self.report.skipped.append(f"{label}: names none of the record's drugs")
            elif heading.id and ui is None:
                self.report.skipped.append(f"{label}: not a MeSH UI that can be told apart")
            elif ui is None:
                continue  # legacy XML: a heading without its id
            elif curated := sorted(
                u for u, d in self.ctx.drug_meshes.items() if iri.drug(d) == node
            ):  # kg/reference.yaml maps the drug to MeSH itself
                if ui not in curated:
                    self.report.skipped.append(
                        f"{label}: kg/reference.yaml maps {_drug_id(node)} to {', '.join(curated)}"
                    )
            else:
                self.add(node, SKOS.exactMatch, expand_curie(f"MESH:{ui}"))

    def dosages(
        self, regimen: URIRef, arm: Group, arm_id: str, named: list[tuple[URIRef, Intervention]]
    ) -> None:
        """The dosage of each named drug of an arm from its intervention's description; of
        the arm's one named drug, if its intervention states none, from the arm's own
        description when that names the drug and states one dose ("Palbociclib at a dose
        of 125 mg orally once daily ..., in addition to standard endocrine therapy")."""
        dosed = [
            self.dosage(regimen, arm_id, arm.title, node, itv.name, itv.description)
            for node, itv in named
            if itv.description is not None
        ]
        if len(named) != 1 or any(dosed) or not arm.description or not arm.description_at:
            return
        node, itv = named[0]
        text, names = arm.description.lower(), (itv.name, *itv.other_names)
        if any(re.search(rf"(?<!\w){re.escape(n.lower())}(?!\w)", text) for n in names):
            fig = Figure(text=arm.description, pointer=arm.description_at)
            self.dosage(regimen, arm_id, arm.title, node, itv.name, fig, need_dose=True)

    def dosage(
        self,
        regimen: URIRef,
        arm_id: str,
        arm_title: str,
        drug: URIRef,
        name: str,
        fig: Figure,
        need_dose: bool = False,
    ) -> bool:
        """How an arm is given a drug, from a description (``fig``), if it states one dose
        or one route (with ``need_dose``, one dose): those, with the description as
        stated; whether it made a dosage (a description that states neither, "an
        antibody-drug conjugate", makes none)."""
        dose, unit = dose_in(fig.text), None
        if dose is not None:
            key = DOSE_UNIT_NAMES.get(dose[2])
            unit = vocab.DOSE_UNITS[key] if key else self.ctx.units.get(dose[2].lower())
        route = route_in(fig.text)
        if unit is None and (route is None or need_dose):
            return False
        d = iri.dosage(self.study_id, arm_id, _drug_id(drug))
        self.add(d, RDF.type, TKG.Dosage)
        self.add(d, RDFS.label, nt_literal(f"dosage of {name} ({arm_title})"))
        self.add(regimen, TKG.hasDosage, d)
        self.add(d, TKG.dosageOf, drug)
        self.add(d, TKG.description, fig.text)
        if dose is not None and unit is not None:
            self.add(d, TKG.doseAmount, nt_decimal(dose[1]))
            self.add(d, TKG.doseUnit, unit)
            self.evidence(d, Figure(text=dose[0], pointer=fig.pointer), [TKG.doseAmount])
        self.add(d, TKG.route, vocab.ROUTES[route] if route else None)
        self.add(d, TKG.dosingSchedule, schedule_in(fig.text))
        return True

    def group_arms(self, groups: Sequence[Group]) -> dict[str, str]:
        """The arm id of each group of a results table (flow, outcome, adverse events): the
        arm whose label its title holds (the whole label: arm "A" is not in "Arm B"; the
        longest label first), else an arm of its own. Of several groups that hold one arm's
        label ("Arm A, cohort 1" and "Arm A, cohort 2"), the one named as the arm itself
        ("Arm A", "... (Arm A)") is the arm; the others are arms of their own."""
        found = {g.id: self._labelled_arm(g.title) for g in groups}
        claims: dict[str, list[tuple[int, str]]] = {}
        for group_id, hit in found.items():
            if hit is not None:
                claims.setdefault(hit[0], []).append((hit[1], group_id))
        keeps: dict[str, str] = {}  # arm -> the one group that is it
        for arm_id, ranked in claims.items():
            ranked.sort(reverse=True)
            best = ranked[0]
            if len(ranked) == 1 or (best[0] >= 2 and ranked[1][0] < best[0]):
                keeps[arm_id] = best[1]
        out = {}
        for g in groups:
            hit = found[g.id]
            out[g.id] = hit[0] if hit and keeps.get(hit[0]) == g.id else self._group_arm(g)
        return out

    def _labelled_arm(self, title: str) -> tuple[str, int] | None:
        """The arm whose label ``title`` holds, and how: 3 it is the label, 2 it holds
        "(label)", 1 the label as words."""
        for label, arm_id in sorted(self.arm_ids.items(), key=lambda kv: -len(kv[0])):
            if title == label:
                return arm_id, 3
            if re.search(rf"(?<!\w){re.escape(label)}(?!\w)", title):
                return arm_id, 2 if f"({label})" in title else 1
        return None

    def _group_arm(self, group: Group) -> str:
        """An arm for a results group that is none of the record's arms (or a part of one)."""
        if group.title in self.arm_ids:
            return self.arm_ids[group.title]
        arm_id = _unique(slug(group.title) or "group", self.arm_ids.values())
        a = iri.arm(self.study_id, arm_id)
        self.add(a, RDF.type, TKG.Arm)
        self.add(a, RDFS.label, nt_literal(group.title))
        self.add(a, TKG.armOf, self.study)
        self.add(a, TKG.ofStudy, self.study)
        self.add(self.study, TKG.hasArm, a)
        self.arm_ids[group.title] = arm_id
        return arm_id

    # -- the study ----------------------------------------------------------------------------

    def study_node(self) -> None:
        rec, s = self.rec, self.study
        self.add(s, RDF.type, TKG.Study)
        self.add(s, RDFS.label, nt_literal(rec.acronym or rec.brief_title or rec.nct_id))
        if rec.study_type.upper() == "INTERVENTIONAL":
            self.add(s, RDF.type, TKG.InterventionalStudy)
        elif rec.study_type.upper() == "OBSERVATIONAL":
            self.add(s, RDF.type, TKG.ObservationalStudy)
        alloc = rec.allocation.upper().replace("-", "_")
        if alloc == "RANDOMIZED":
            self.add(s, TKG.hasAllocation, TKG.RandomAllocation)
        elif alloc in ("NON_RANDOMIZED", "NON RANDOMIZED"):
            self.add(s, TKG.hasAllocation, TKG.NonRandomAllocation)
        phases = [PHASES.get(p.upper()) for p in rec.phases]
        phase = "/".join(p for p in phases if p) if all(phases) else ""
        if phase in vocab.PHASES:
            self.add(s, TKG.phase, vocab.PHASES[phase])
        masking = rec.masking.upper()
        if masking.startswith("NONE"):
            self.add(s, TKG.hasDesignFeature, TKG.OpenLabel)
        elif masking.startswith("SINGLE"):
            self.add(s, TKG.hasDesignFeature, TKG.SingleBlind)
        elif masking.startswith(("DOUBLE", "TRIPLE", "QUADRUPLE")):
            self.add(s, TKG.hasDesignFeature, TKG.DoubleBlind)
        model = rec.intervention_model.upper()
        if model.startswith("PARALLEL"):
            self.add(s, TKG.hasDesignFeature, TKG.ParallelGroup)
        elif model.startswith("SINGLE"):
            self.add(s, TKG.hasDesignFeature, TKG.SingleGroup)
        for reg in (rec.nct_id, *rec.aliases):
            self.add(s, TKG.registryId, nt_literal(reg))
        self.add(s, TKG.acronym, rec.acronym)
        self.add(s, TKG.title, rec.official_title or rec.brief_title)
        self.add(s, TKG.orgStudyId, rec.org_study_id)
        self.add(s, TKG.primaryPurpose, rec.primary_purpose)
        self.add(s, TKG.startDate, rec.start_date)
        self.add(s, TKG.primaryCompletionDate, rec.primary_completion_date)
        self.add(s, TKG.completionDate, rec.completion_date)
        for kw in rec.keywords:
            self.add(s, TKG.keyword, kw)
        if rec.overall_status is not None:
            status = Figure(text=rec.overall_status.text, pointer=rec.overall_status.pointer)
            self.add(s, TKG.overallStatus, nt_literal(normalise_status(status.text)))
            self.evidence(s, status, [TKG.overallStatus])
        n = _number(rec.enrollment)
        if n is not None and rec.enrollment is not None and n[0] == n[0].to_integral_value():
            self.add(s, TKG.enrollment, nt_integer(int(n[0])))
            etype = rec.enrollment_type.upper()
            if etype == "ACTUAL":
                self.add(s, TKG.enrollmentType, TKG.ActualEnrollment)
            elif etype in ("ANTICIPATED", "ESTIMATED"):
                self.add(s, TKG.enrollmentType, TKG.AnticipatedEnrollment)
            self.evidence(s, rec.enrollment, [TKG.enrollment])
        sponsors = [rec.lead_sponsor, *rec.collaborators]
        for name in sponsors:
            if name:
                org = iri.organization(slug(name))
                self.add(org, RDF.type, TKG.Organization)
                self.add(org, RDFS.label, nt_literal(name))
                self.add(s, TKG.sponsoredBy, org)
        pop = iri.population(self.study_id)
        self.add(pop, RDF.type, TKG.Population)
        self.add(pop, RDFS.label, nt_literal(f"population of {rec.acronym or rec.nct_id}"))
        self.add(s, TKG.studiesPopulation, pop)
        self.add(pop, TKG.ofStudy, s)
        for cond in rec.conditions:
            self.add(pop, TKG.hasCondition, self.condition(cond))
        for heading in rec.condition_meshes:  # the registry's MeSH headings of its conditions
            ui = mesh_ui(heading.id)
            known = self.ctx.meshes.get(ui) if ui else None
            node = known or self.condition(heading.term, ui)
            self.add(pop, TKG.hasCondition, node)
        self.add(pop, TKG.eligibilityCriteria, rec.eligibility)
        self.add(pop, TKG.eligibleSex, rec.sex)
        ages = " to ".join(a for a in (rec.minimum_age, rec.maximum_age) if a)
        self.add(pop, TKG.eligibleAges, ages)
        age = rec.age
        unit = UNITS.get(age.unit.lower().strip()) if age else None
        if age is not None and unit is None:
            self.report.skipped.append(f"baseline age: unit {age.unit!r} is not a time unit")
        elif age is not None and unit is not None:
            self.add(pop, TKG.ageUnit, vocab.UNITS[unit])
            for prop, fig in ((TKG.medianAge, age.median), (TKG.minAge, age.minimum),
                              (TKG.maxAge, age.maximum)):  # fmt: skip
                number = _number(fig)
                if fig is not None and number is not None and number[1] == "=":
                    self.add(pop, prop, nt_decimal(number[0]))
                    self.evidence(pop, fig, [prop])

    def condition(self, name: str, mesh: str | None = None) -> URIRef:
        """The condition ``name`` names: the vocabulary's or kg/reference.yaml's, else a node
        of its own (aligned to the MeSH UI ``mesh`` where the record gives one)."""
        known = self.ctx.conditions.get(name.lower().strip())
        if known is not None:
            return known
        node = iri.condition(slug(name))
        self.add(node, RDF.type, TKG.Condition)
        self.add(node, RDFS.label, nt_literal(name))
        if mesh:
            self.add(node, SKOS.exactMatch, expand_curie(f"MESH:{mesh}"))
        return node

    def endpoints(self) -> list[str]:
        """Mint the endpoints: the declared outcomes, then the result outcomes not declared.

        A result outcome is the declared outcome of its title (of its role first, primary or
        secondary); a title given again (the same measure at another time, in another group
        of patients) is an endpoint of its own. Returns the endpoint id of each result
        outcome, in order.
        """
        entries = [(role, title, tf) for role, title, tf in self.rec.declared_outcomes]
        matched: list[int] = []  # the entry of each result outcome
        for o in self.rec.outcomes:
            free = [i for i, e in enumerate(entries) if e[1] == o.title and i not in matched]
            same_role = [i for i in free if entries[i][0].lower() == o.type.lower()]
            if same_role or free:
                matched.append((same_role or free)[0])
            else:
                matched.append(len(entries))
                entries.append((o.type, o.title, o.time_frame))
        ids: list[str] = []
        for i, (role, title, time_frame) in enumerate(entries):
            k = sum(1 for e in entries[:i] if e[1] == title) + 1  # the title's k-th endpoint
            kind = endpoint_kind(title)
            ep_id = self.curated.endpoints.get(kind, "") if kind != "other" and k == 1 else ""
            if not ep_id or ep_id in ids:
                ep_id = slug(title)
            ep_id = _unique(ep_id, ids)  # another title with the same slug, or the title again
            ids.append(ep_id)
            e = iri.endpoint(self.study_id, ep_id)
            self.add(e, RDF.type, TKG.Endpoint)
            self.add(e, RDF.type, vocab.ENDPOINT_KINDS[kind])
            name = self.rec.acronym or self.rec.nct_id
            measure = f", measure {k}" if k > 1 else ""
            self.add(e, RDFS.label, nt_literal(f"{title} ({name}{measure})"))
            self.add(self.study, TKG.hasEndpoint, e)
            self.add(e, TKG.endpointOf, self.study)
            self.add(e, TKG.ofStudy, self.study)
            role_key = OUTCOME_ROLES.get(role.lower())
            if role_key:
                self.add(e, TKG.endpointRole, vocab.ENDPOINT_ROLES[role_key])
            self.add(e, TKG.timeFrame, time_frame)
            if self.rec.outcomes:
                self.add(e, TKG.resultsReported, nt_boolean(i in matched))
        return [ids[i] for i in matched]

    def unit(self, text: str, percent: bool) -> URIRef | None:
        """The unit of an outcome's values: percent; the unit vocabulary's or
        kg/reference.yaml's, by name or synonym; else a unit of its own, labelled as the
        record names it ("units on a scale") and listed in the report; None if not given."""
        name = " ".join(text.split())
        if percent:
            return vocab.UNITS["percent"]
        if not name:
            return None
        known = self.ctx.units.get(name.lower())
        if known is not None:
            return known
        node = iri.unit(unit_slug(name))
        if name not in self.report.new_units:
            self.report.new_units.append(name)
            self.add(node, RDF.type, TKG.Unit)
            self.add(node, RDFS.label, nt_literal(name))
        return node

    def results(self, endpoint_ids: list[str]) -> None:
        rec = self.rec
        for o, ep_id in zip(rec.outcomes, endpoint_ids, strict=True):
            ep = iri.endpoint(self.study_id, ep_id)
            unit_text = " ".join(o.unit.lower().split())
            percent = bool(_PERCENT.search(unit_text))
            count = bool(_PEOPLE.fullmatch(unit_text))
            param = o.param_type.upper()
            if param == "MEDIAN":
                measure = "median"
            elif param in ("MEAN", "GEOMETRIC_MEAN", "LEAST_SQUARES_MEAN"):
                measure = "mean"
            elif count or param == "COUNT_OF_PARTICIPANTS":
                measure = "count"
            elif percent:
                measure = "percentage"
            else:
                measure = "other"
            tp = re.match(
                r"^\s*(\d+(?:\.\d+)?)\s*(day|week|month|year)s?\s*$", o.time_frame.lower()
            )
            kind = endpoint_kind(o.title)
            time_point = None
            if tp and percent and kind in ("pfs", "os", "idfs", "pfs2"):
                measure, time_point = "rate", (Decimal(tp.group(1)), tp.group(2))
            groups = {g.id: g for g in o.groups}
            arm_of = self.group_arms(o.groups)
            measurements = o.measurements
            unit = None if measure == "count" else self.unit(o.unit, percent)
            if unit is None and measure != "count" and measurements:
                self.report.skipped.append(
                    f"outcome {o.title!r}: no unit given; its values are not mapped"
                    + (" (its analyses are)" if o.analyses else "")
                )
                measurements = ()
            categories: dict[str, str] = {}  # a row's category -> its slug, one each
            written: set[URIRef] = set()
            for m in measurements:
                value = _number(m.value)
                if m.group_id not in groups:
                    self.report.skipped.append(
                        f"outcome {o.title!r}: {self.at(m.value)}: group {m.group_id!r} is not "
                        "one of the outcome's groups"
                    )
                    continue
                # a figure "NA" whose comment says why: not reached (a median), not estimable
                status = None if value else value_status(m.value, m.comment)
                if status == "not-reached" and measure != "median":
                    status = None
                if value is None and status is None:
                    self.report.skipped.append(
                        f"outcome {o.title!r}, {groups[m.group_id].title!r}: "
                        f"{self.at(m.value)}: {m.value.text!r} is not a number"
                        + (f" ({m.comment.text})" if m.comment else "")
                    )
                    continue
                if m.category and m.category not in categories:
                    categories[m.category] = _unique(
                        slug(m.category) or "category", categories.values()
                    )
                arm_id = arm_of[m.group_id]
                node = iri.arm_result(
                    self.study_id,
                    arm_id,
                    ep_id,
                    measure,
                    time_point,
                    categories.get(m.category, ""),
                )
                if node in written:
                    self.report.skipped.append(
                        f"outcome {o.title!r}, {groups[m.group_id].title!r}: {self.at(m.value)}: "
                        "a second value for the same arm and category"
                    )
                    continue
                written.add(node)
                self.add(node, RDF.type, TKG.Result)
                self.add(node, RDF.type, TKG.ArmResult)
                about = f", {m.category}" if m.category else ""
                label = f"{o.title}: {measure}, {groups[m.group_id].title}{about}"
                self.add(node, RDFS.label, nt_literal(label))
                self.add(node, TKG.category, m.category)
                self.add(node, TKG.ofStudy, self.study)
                self.add(node, TKG.forArm, iri.arm(self.study_id, arm_id))
                self.add(iri.arm(self.study_id, arm_id), TKG.armHasResult, node)
                self.add(node, TKG.forEndpoint, ep)
                self.add(node, TKG.measure, vocab.MEASURES[measure])
                self.add(node, TKG.unit, unit)
                if time_point:
                    self.add(node, TKG.timePoint, nt_decimal(time_point[0]))
                    self.add(node, TKG.timePointUnit, vocab.UNITS[time_point[1]])
                if value is not None:
                    self.add(node, TKG.value, nt_decimal(value[0]))
                    self.evidence(node, m.value, [TKG.value])
                elif status is not None:
                    self.add(node, TKG.valueStatus, vocab.VALUE_STATUSES[status])
                    self.evidence(node, m.value, [TKG.valueStatus])
                    if m.comment is not None:  # the words that say why
                        self.evidence(node, m.comment, [TKG.valueStatus])
                where = f"outcome {o.title!r}, {groups[m.group_id].title!r}{about}"
                self.dispersion(
                    node,
                    where,
                    o.dispersion_type,
                    value[0] if value else None,
                    m.lower,
                    m.upper,
                    m.spread,
                    comments=(m.comment, m.comment),
                )
            for an in o.analyses:
                self.analysis(o.title, ep_id, arm_of, an, unit)

    def analysis(
        self, title: str, ep_id: str, arm_of: dict[str, str], an: Analysis, unit: URIRef | None
    ) -> None:
        """One statistical analysis of two arms; ``unit``: the outcome's (a mean difference is
        in it; a rate difference in percentage points)."""
        if len(an.group_ids) != 2 or not all(g in arm_of for g in an.group_ids):
            self.report.skipped.append(f"analysis of {title!r} over groups {an.group_ids}")
            return
        p = _number(an.p_value)
        if p is not None and not 0 <= p[0] <= 1:
            p = None  # not a p-value: reported below
        if p is None and _number(an.value) is None:
            stated = ", ".join(f.text for f in (an.p_value, an.value) if f) or "nothing"
            self.report.skipped.append(
                f"analysis of {title!r} over groups {list(an.group_ids)}: no number to map "
                f"(it states {stated})"
            )
            return
        arms = [arm_of[g] for g in an.group_ids]
        exp, comp = arms
        if exp == comp:
            self.report.skipped.append(
                f"analysis of {title!r}: groups {list(an.group_ids)} are both arm {exp!r}"
            )
            return
        number = self.analyses_of_pair[ep_id, exp, comp] = (
            self.analyses_of_pair.get((ep_id, exp, comp), 0) + 1
        )
        comparison = iri.comparison(self.study_id, ep_id, exp, comp, number)
        self.add(comparison, RDF.type, TKG.Result)
        self.add(comparison, RDF.type, TKG.Comparison)
        nth = f" (analysis {number})" if number > 1 else ""
        self.add(comparison, RDFS.label, nt_literal(f"{title}: {exp} vs {comp}{nth}"))
        nodes = [comparison]
        if p is not None and an.p_value is not None:
            self.add(comparison, TKG.pValue, nt_decimal(p[0]))
            self.add(comparison, TKG.pValueComparator, nt_literal(p[1]))
            self.evidence(comparison, an.p_value, [TKG.pValue])
        else:
            if an.p_value is not None:
                self.report.skipped.append(
                    f"analysis of {title!r}: {self.at(an.p_value)}: {an.p_value.text!r} is not "
                    "a p-value (a number from 0 to 1)"
                )
            if an.value is not None:
                self.evidence(comparison, an.value, [])  # the analysis that compares the arms
        self.add(comparison, TKG.statisticalMethod, an.method)
        hypothesis = hypothesis_kind(an.hypothesis)
        if hypothesis:
            self.add(comparison, TKG.hypothesis, vocab.HYPOTHESES[hypothesis])
        elif an.hypothesis:
            self.report.skipped.append(
                f"analysis of {title!r}: tested hypothesis {an.hypothesis!r} is not known"
            )
        self.add(comparison, TKG.note, " ".join(an.comments))  # the record's, in its words
        sides = an.ci_sides.upper()
        if sides in ("TWO_SIDED", "2-SIDED"):
            self.add(comparison, TKG.sidedness, TKG.TwoSided)
        elif sides in ("ONE_SIDED", "1-SIDED"):
            self.add(comparison, TKG.sidedness, TKG.OneSided)
        stat = statistic_kind(an.param_type)
        value = _number(an.value)
        ratio = stat in vocab.RATIO_STATISTICS
        if ratio and value is not None and an.value is not None and value[0] <= 0:
            self.report.skipped.append(
                f"analysis of {title!r}: {self.at(an.value)}: {an.param_type} "
                f"{an.value.text!r} is not above 0, as a ratio is"
            )
        elif stat and value is not None and an.value is not None:
            est = iri.estimate(self.study_id, ep_id, exp, comp, stat, number)
            self.add(est, RDF.type, TKG.Result)
            self.add(est, RDF.type, TKG.EffectEstimate)
            self.add(est, RDF.type, vocab.STATISTICS[stat])
            label = f"{title}: {an.param_type}, {exp} vs {comp}{nth}"
            self.add(est, RDFS.label, nt_literal(label))
            self.add(est, TKG.estimateOf, comparison)
            self.add(est, TKG.value, nt_decimal(value[0]))
            self.evidence(est, an.value, [TKG.value])
            if stat == "rate-difference":
                self.add(est, TKG.unit, vocab.UNITS["percent"])
            elif stat == "mean-difference":
                self.add(est, TKG.unit, unit)
            where = f"analysis of {title!r}, {an.param_type}{nth}"
            if an.lower is not None or an.upper is not None:
                level = an.ci_percent.strip().rstrip("%")
                self.dispersion(est, where, f"{level}% confidence" if level else "confidence",
                                value[0], an.lower, an.upper, None, positive=ratio,
                                comments=(an.lower_comment, an.upper_comment))  # fmt: skip
            if an.dispersion is not None:
                self.dispersion(est, where, an.dispersion_type or "NA", value[0], None, None,
                                an.dispersion)  # fmt: skip
            nodes.append(est)
        elif an.param_type and not stat:
            self.report.skipped.append(f"analysis of {title!r}: statistic {an.param_type!r}")
        for n in nodes:
            self.add(n, TKG.ofStudy, self.study)
            self.add(n, TKG.forEndpoint, iri.endpoint(self.study_id, ep_id))
            self.add(n, TKG.experimentalArm, iri.arm(self.study_id, exp))
            self.add(n, TKG.comparatorArm, iri.arm(self.study_id, comp))

    def dispersion(
        self,
        node: URIRef,
        where: str,
        kind_text: str,
        value: Decimal | None,
        lower: Figure | None,
        upper: Figure | None,
        spread: Figure | None,
        positive: bool = False,
        comments: tuple[Figure | None, Figure | None] = (None, None),
    ) -> None:
        """What a registry gives with a value (``None``: a value not reached or not
        estimable): a confidence interval (``tkg:ciLower``, ``tkg:ciUpper``, ``tkg:ciLevel``
        where stated; a bound "NA" that ``comments``, the record's on the lower and the
        upper bound, call not reached or not estimable is ``tkg:ciLowerStatus`` or
        ``tkg:ciUpperStatus``), an inter-quartile or full range (``tkg:lowerLimit``,
        ``tkg:upperLimit``) or one figure (``tkg:dispersion``: a standard deviation or
        error), with its ``tkg:dispersionType``. Figures that cannot be mapped (one bound
        only, "NA" with no reason, an interval that does not hold its value, a negative
        deviation, a bound not above 0 of a ratio's interval, when ``positive``) are
        reported, named by ``where`` and their place in the file."""
        kind, name = dispersion_kind(kind_text)
        given = [f for f in (lower, upper, spread) if f is not None]
        if not given:
            return
        first = self.at(given[0])
        if not kind or (kind == "spread") != (spread is not None):
            stated = ", ".join(repr(f.text) for f in given)
            self.report.skipped.append(
                f"{where}: {first}: {stated} given with dispersion type {kind_text!r}; not mapped"
            )
            return
        if spread is not None:
            n = _number(spread)
            if n is None or n[1] != "=" or n[0] < 0:
                self.report.skipped.append(
                    f"{where}: {first}: {spread.text!r} is not a {name} (a number, 0 or more)"
                )
                return
            self.add(node, TKG.dispersion, nt_decimal(n[0]))
            self.add(node, TKG.dispersionType, name)
            self.evidence(node, spread, [TKG.dispersion])
            return
        low, high = _number(lower), _number(upper)
        what = "confidence interval" if kind == "ci" else name
        statuses = (
            (value_status(lower, comments[0], bound=True), value_status(upper, comments[1], True))
            if kind == "ci"
            else (None, None)
        )
        if any(
            f is None or (n is None and status is None)
            for f, n, status in ((lower, low, statuses[0]), (upper, high, statuses[1]))
        ):
            bounds = ", ".join(
                f"{side} {f.text!r}" if f is not None else f"no {side} bound"
                for side, f in (("lower", lower), ("upper", upper))
            )
            self.report.skipped.append(f"{where}: {first}: the {what} has {bounds}; not mapped")
            return
        assert lower is not None and upper is not None
        wrong = (
            "a bound is not an exact number" if any(n and n[1] != "=" for n in (low, high))
            else "its lower bound is above its upper bound" if low and high and low[0] > high[0]
            else f"the value {value} lies outside it"
            if kind == "ci" and value is not None
            and not ((not low or low[0] <= value) and (not high or value <= high[0]))
            else "a ratio's interval must lie above 0" if positive and low and low[0] <= 0
            else ""
        )  # fmt: skip
        if wrong:
            self.report.skipped.append(
                f"{where}: {first}: the {what} [{lower.text}, {upper.text}] is not mapped: {wrong}"
            )
            return
        if kind == "ci":
            props = (TKG.ciLower, TKG.ciUpper)
            sides = zip(
                (lower, upper),
                (low, high),
                statuses,
                comments,
                props,
                (TKG.ciLowerStatus, TKG.ciUpperStatus),
                strict=True,
            )
            for fig, n, status, comment, prop, status_prop in sides:
                if n is not None:
                    self.add(node, prop, nt_decimal(n[0]))
                    self.evidence(node, fig, [prop])
                elif status is not None:
                    self.add(node, status_prop, vocab.VALUE_STATUSES[status])
                    self.evidence(node, fig, [status_prop])
                    if comment is not None:
                        self.evidence(node, comment, [status_prop])
            if name:
                self.add(node, TKG.ciLevel, nt_decimal(Decimal(name)))
            return
        assert low is not None and high is not None
        self.add(node, TKG.lowerLimit, nt_decimal(low[0]))
        self.add(node, TKG.upperLimit, nt_decimal(high[0]))
        self.add(node, TKG.dispersionType, name)
        self.evidence(node, lower, [TKG.lowerLimit])
        self.evidence(node, upper, [TKG.upperLimit])

    def flow(self) -> None:
        groups = {g.id: g for g in self.rec.flow_groups}
        arm_of = self.group_arms(self.rec.flow_groups)
        counted: dict[tuple[URIRef, str], str] = {}  # (arm, milestone) -> the group counted
        for f in self.rec.flow:
            if f.group_id not in groups or f.milestone not in ("STARTED", "COMPLETED"):
                continue
            n = _number(f.count)
            if n is None:
                continue
            a = iri.arm(self.study_id, arm_of[f.group_id])
            first = counted.setdefault((a, f.milestone), f.group_id)
            if first != f.group_id:  # two flow groups of one arm (its cohorts)
                self.report.skipped.append(
                    f"participant flow: {self.at(f.count)}: group {groups[f.group_id].title!r} "
                    f"is arm {str(a).rsplit('/', 1)[1]!r} again, counted from "
                    f"{groups[first].title!r}"
                )
                continue
            prop = TKG.numberOfPatients if f.milestone == "STARTED" else TKG.participantsCompleted
            self.add(a, prop, nt_integer(int(n[0])))
            self.evidence(a, f.count, [prop])

    def adverse_events(self) -> None:
        groups = {g.id: g for g in self.rec.event_groups}
        arm_of = self.group_arms(self.rec.event_groups)
        rows: dict[tuple[bool, str], list[str]] = {}  # (serious, term) -> its event rows
        written: set[URIRef] = set()
        for ae in self.rec.adverse_events:
            affected, at_risk = _number(ae.affected), _number(ae.at_risk)
            where = self.at(ae.affected) if ae.affected else f"{ae.term!r}"
            if ae.group_id not in groups:
                self.report.skipped.append(
                    f"adverse event {ae.term!r}: {where}: group {ae.group_id!r} is not one of "
                    "the adverse-event groups"
                )
                continue
            if affected is None or ae.affected is None:
                stated = f"{ae.affected.text!r} is not a number" if ae.affected else "no count"
                self.report.skipped.append(
                    f"adverse event {ae.term!r}, {groups[ae.group_id].title!r}: {where}: "
                    f"{stated} of patients affected"
                )
                continue
            arm_id = arm_of[ae.group_id]
            term = iri.adverse_event_term(slug(ae.term))
            self.add(term, RDF.type, TKG.AdverseEventTerm)
            self.add(term, RDFS.label, nt_literal(ae.term.lower()))
            self.add(term, TKG.organSystem, ae.organ_system)
            # a term the record lists again (under another organ system) is a row of its own
            seen = rows.setdefault((ae.serious, slug(ae.term)), [])
            if ae.row not in seen:
                seen.append(ae.row)
            k = seen.index(ae.row) + 1
            event_id = slug(ae.term) + (f"-{k}" if k > 1 else "")
            node = iri.adverse_event_result(
                self.study_id, arm_id, event_id, "not-stated", ae.serious
            )
            if node in written:  # two event groups of one arm (its cohorts)
                self.report.skipped.append(
                    f"adverse event {ae.term!r}, {groups[ae.group_id].title!r}: {where}: "
                    f"a second count for arm {arm_id!r}"
                )
                continue
            written.add(node)
            self.add(node, RDF.type, TKG.Result)
            self.add(node, RDF.type, TKG.AdverseEventResult)
            system = f", {ae.organ_system}" if k > 1 and ae.organ_system else ""
            self.add(
                node,
                RDFS.label,
                nt_literal(
                    f"{ae.term} ({'serious' if ae.serious else 'other'}{system}), "
                    f"{groups[ae.group_id].title}"
                ),
            )
            self.add(node, TKG.ofStudy, self.study)
            self.add(node, TKG.forArm, iri.arm(self.study_id, arm_id))
            self.add(iri.arm(self.study_id, arm_id), TKG.armHasResult, node)
            self.add(node, TKG.adverseEvent, term)
            self.add(node, TKG.grade, TKG.GradeNotStated)
            self.add(node, TKG.seriousEvent, nt_boolean(ae.serious))
            self.add(node, TKG.patientCount, nt_integer(int(affected[0])))
            self.evidence(node, ae.affected, [TKG.patientCount])
            if at_risk is not None and ae.at_risk is not None:
                self.add(node, TKG.patientsAtRisk, nt_integer(int(at_risk[0])))
                self.evidence(node, ae.at_risk, [TKG.patientsAtRisk])

    def references(self) -> None:
        """The publications the record lists with a PubMed id: the curated document of the
        same PMID or DOI (a DOI is read from the citation), else a document of its own; one
        that reports the results (RESULT) reports the study."""
        for ref in self.rec.references:
            pmid = ref.pmid.text
            found = _DOI.search(ref.citation)
            doi = found.group(0).rstrip(".,;").lower() if found else None
            curated = self.ctx.documents.get(f"pmid:{pmid}") or (
                self.ctx.documents.get(f"doi:{doi}") if doi else None
            )
            pub = curated or iri.publication(f"pmid-{pmid}")
            self.add(pub, RDF.type, TKG.Document)
            self.add(pub, TKG.pmid, pmid)
            self.evidence(pub, ref.pmid, [TKG.pmid])
            if doi:
                self.add(pub, TKG.doi, doi)
            if curated is None:  # a document of its own: named by the registry
                self.add(pub, RDFS.label, nt_literal(f"PMID {pmid}"))
                self.add(pub, DCTERMS.bibliographicCitation, ref.citation)
            if ref.kind == "RESULT":
                self.add(self.study, TKG.reportedIn, pub)
                self.add(pub, TKG.reportsStudy, self.study)
            self.cited.append(pub)

    def provenance(self, raw: bytes) -> TripleLines:
        rec, src = self.rec, self.source
        g = TripleLines()
        g.add((src, RDF.type, TKG.Document))
        g.add((src, RDF.type, TKG.RegistryRecord))
        g.add((src, RDF.type, TKG.SourceDocument))
        g.add((src, RDF.type, PROV.Entity))
        g.add(
            (
                src,
                RDFS.label,
                nt_literal(
                    f"ClinicalTrials.gov {rec.nct_id} "
                    f"({rec.version_date or 'undated'}, {rec.format})"
                ),
            )
        )
        g.add((src, TKG.publisher, nt_literal("ClinicalTrials.gov")))
        g.add(
            (
                src,
                TKG.url,
                nt_literal(f"https://clinicaltrials.gov/study/{rec.nct_id}", str(XSD.anyURI)),
            )
        )
        version = version_slug(rec.version_date)
        if re.match(r"^\d{4}-\d{2}-\d{2}$", version):
            g.add((src, TKG.versionDate, nt_literal(version, str(XSD.date))))
        g.add((src, TKG.documentFile, nt_literal(Path(rec.file).name)))
        g.add((src, TKG.sha256, nt_literal(hashlib.sha256(raw).hexdigest())))
        g.add((src, DCTERMS["format"], nt_literal(rec.format)))
        g.add((src, TKG.reportsStudy, self.study))
        for pub in self.cited:
            g.add((src, TKG.cites, pub))
        link_assertion_graph(g, self.sid)
        g.add((self.study, TKG.reportedIn, src))
        return g


def registry_ntriples(
    rec: RegistryStudy, ctx: Context
) -> tuple[str, TripleLines, TripleLines, ImportReport]:
    """(source id, assertion triples, provenance triples, report) of one registry record."""
    report = ImportReport(rec.file, rec.nct_id)
    em = _Emitter(rec, ctx, report)
    em.study_node()
    em.arms()
    endpoint_ids = em.endpoints()
    em.results(endpoint_ids)
    em.flow()
    em.adverse_events()
    em.references()
    prov = em.provenance(Path(rec.file).read_bytes())
    report.triples = len(em.g) + len(prov)
    return em.sid, em.g, prov, report


def registry_graphs(rec: RegistryStudy, ctx: Context) -> tuple[str, Graph, Graph, ImportReport]:
    """(source id, assertion graph, provenance graph, report) of one registry record."""
    sid, lines, prov, report = registry_ntriples(rec, ctx)
    return sid, lines.graph(), prov.graph(), report
