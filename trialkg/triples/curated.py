"""Typed curated records -> RDF triples (one graph per source, plus reference and provenance)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from rdflib import OWL, RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef
from rdflib.term import Node

from trialkg import iri, vocab
from trialkg.records.loader import LoadedYaml, Loc
from trialkg.records.model import (
    CI,
    Bibliographic,
    ClassAgent,
    Component,
    Dose,
    Population,
    ReferenceEntity,
    ReferenceRecord,
    SourceRecord,
    Study,
    Subgroup,
)
from trialkg.terms import TKG
from trialkg.triples.ntriples import TripleLines, TripleSink, decimal_text, nt_literal


class Vocabulary:
    """Terms of an external vocabulary as attributes (``OA.hasBody``), each IRI made once.

    An rdflib ``Namespace`` builds a new ``URIRef`` on every attribute lookup; the mappings
    look terms up millions of times."""

    def __init__(self, base: str) -> None:
        self._base = base

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("_"):
            raise AttributeError(name)
        term = URIRef(self._base + name)
        setattr(self, name, term)
        return term

    def __str__(self) -> str:
        return self._base


OA = Vocabulary("http://www.w3.org/ns/oa#")
PROV = Vocabulary("http://www.w3.org/ns/prov#")

CURIE_PREFIXES = {
    "NCIT": "http://purl.obolibrary.org/obo/NCIT_",
    "CHEBI": "http://purl.obolibrary.org/obo/CHEBI_",
    "DRUGBANK": "https://identifiers.org/drugbank:",
    "ATC": "https://identifiers.org/atc:",
    "CHEMBL": "https://identifiers.org/chembl.compound:",
    "MEDDRA": "https://identifiers.org/meddra:",
    "HGNC": "https://identifiers.org/hgnc:",
    "UO": "http://purl.obolibrary.org/obo/UO_",
    "MONDO": "http://purl.obolibrary.org/obo/MONDO_",
    "DOID": "http://purl.obolibrary.org/obo/DOID_",
    "MESH": "http://id.nlm.nih.gov/mesh/",
}


def expand_curie(curie: str) -> URIRef:
    """Expand a mapping CURIE such as ``NCIT:C49176``; unknown prefixes raise ValueError."""
    prefix, _, local = curie.partition(":")
    if prefix not in CURIE_PREFIXES or not local:
        raise ValueError(
            f"mapping {curie!r}: expected PREFIX:ID with PREFIX one of {sorted(CURIE_PREFIXES)}"
        )
    return URIRef(CURIE_PREFIXES[prefix] + local)


def decimal(value: Decimal | int) -> Literal:
    """An xsd:decimal literal in canonical form (``44.3``, ``10.0``)."""
    return Literal(decimal_text(value), datatype=XSD.decimal)


def integer(value: int) -> Literal:
    return Literal(str(value), datatype=XSD.nonNegativeInteger)


def boolean(value: bool) -> Literal:
    return Literal("true" if value else "false", datatype=XSD.boolean)


def text(value: str) -> Literal:
    return Literal(value)


def term_label(term: URIRef) -> str:
    """The ontology's English label of a term (the local name if it has none)."""
    from trialkg.validate import ontology_graph

    label = ontology_graph().value(term, RDFS.label)
    return str(label) if label is not None else str(term).rsplit("#", 1)[-1]


def annotate(
    g: TripleSink,
    source_id: str,
    subject: URIRef,
    props: Sequence[URIRef],
    quote: str,
    key: str | None = None,
) -> URIRef:
    """Add one evidence annotation for ``subject`` from a source; return the annotation.

    ``key`` (default: the quote) identifies the evidence among the subject's others. The
    caller adds the selectors that fit the source (text quote and position for a document,
    JSON Pointer or XPath for a registry record) to its target, ``<annotation>/target``.
    """
    ev = iri.evidence(source_id, subject, sorted(props), key if key is not None else quote)
    source = iri.source(source_id)
    g.add((ev, RDF.type, TKG.Evidence))
    g.add((ev, RDF.type, OA.Annotation))
    g.add((ev, TKG.evidenceFor, subject))
    g.add((ev, OA.hasBody, subject))
    g.add((ev, TKG.fromSource, source))
    if isinstance(g, TripleLines):
        g.add((ev, TKG.quote, nt_literal(quote)))  # no rdflib literal: the fast path
    else:
        g.add((ev, TKG.quote, Literal(quote)))
    for prop in props:
        g.add((ev, TKG.aboutProperty, prop))
    g.add((subject, TKG.hasEvidence, ev))
    target = URIRef(f"{ev}/target")
    g.add((ev, OA.hasTarget, target))
    g.add((target, RDF.type, OA.SpecificResource))
    g.add((target, OA.hasSource, source))
    return ev


def link_assertion_graph(g: TripleSink, source_id: str) -> None:
    """Provenance of a source's named graph: which document it holds the assertions of."""
    src, graph = iri.source(source_id), iri.source_graph(source_id)
    g.add((src, TKG.assertionGraph, graph))
    g.add((graph, PROV.wasDerivedFrom, src))
    g.add((graph, RDFS.label, Literal(f"assertions of source {source_id}")))


def agent(component: Component) -> URIRef:
    """IRI of a regimen component: a named drug or 'any agent of a class'."""
    if isinstance(component, ClassAgent):
        return iri.class_agent(component.drug_class)
    return iri.drug(component)


@dataclass
class SourceGraphs:
    """What one source record produces: its assertion graph and its provenance triples."""

    source_id: str
    assertions: Graph
    provenance: Graph
    origin: dict[URIRef, Loc] = field(default_factory=dict)


class _Emitter:
    """Writes one source's triples and remembers which YAML location made each node."""

    def __init__(self, rec: SourceRecord, doc: LoadedYaml, text_: str) -> None:
        self.rec = rec
        self.doc = doc
        self.text = text_
        self.sid = rec.source.id
        self.source = iri.source(self.sid)
        self.g = Graph()
        self.origin: dict[URIRef, Loc] = {}

    def add(self, s: URIRef, p: URIRef, o: Node | None) -> None:
        if o is not None:
            self.g.add((s, p, o))

    def figure(self, s: URIRef, prop: URIRef, status_prop: URIRef, value: Decimal | str) -> None:
        """A figure as a number (``prop``), or why the source states none (``status_prop``:
        not reached, not estimable)."""
        if isinstance(value, Decimal):
            self.add(s, prop, decimal(value))
        else:
            self.add(s, status_prop, vocab.VALUE_STATUSES[value])

    def ci(self, s: URIRef, ci: CI | None) -> None:
        """A confidence interval: its bounds (or why one has none) and its level."""
        if ci is not None:
            self.figure(s, TKG.ciLower, TKG.ciLowerStatus, ci.lower)
            self.figure(s, TKG.ciUpper, TKG.ciUpperStatus, ci.upper)
            self.add(s, TKG.ciLevel, decimal(ci.level))

    def node(self, s: URIRef, loc: Loc, *types: URIRef, label: str | None = None) -> URIRef:
        self.origin.setdefault(s, loc)
        for t in types:
            self.g.add((s, RDF.type, t))
        if label:
            self.g.add((s, RDFS.label, Literal(label)))
        return s

    def evidence(self, subject: URIRef, quotes: list[str], props: Sequence[URIRef] = ()) -> None:
        """Evidence for ``subject``: each quote, stating the figure properties ``props``.

        Without ``props`` the quote supports the node's other facts (its kind, design, ...).
        """
        for quote in quotes:
            ev = annotate(self.g, self.sid, subject, props, quote)
            target = URIRef(f"{ev}/target")
            quote_sel = URIRef(f"{ev}/quote")
            self.g.add((target, OA.hasSelector, quote_sel))
            self.g.add((quote_sel, RDF.type, OA.TextQuoteSelector))
            self.g.add((quote_sel, OA.exact, Literal(quote)))
            start = self.text.find(quote)
            if start >= 0:
                pos_sel = URIRef(f"{ev}/position")
                self.g.add((target, OA.hasSelector, pos_sel))
                self.g.add((pos_sel, RDF.type, OA.TextPositionSelector))
                self.g.add((pos_sel, OA.start, Literal(start)))
                self.g.add((pos_sel, OA.end, Literal(start + len(quote))))

    # -- bibliographic -----------------------------------------------------------------------

    def bibliographic(self, g: Graph, s: URIRef, b: Bibliographic) -> None:
        g.add((s, RDF.type, TKG.Document))
        g.add((s, RDF.type, vocab.SOURCE_KINDS[b.kind]))
        pairs: list[tuple[URIRef, Node | None]] = [
            (TKG.title, text(b.title) if b.title else None),
            (TKG.doi, text(b.doi.lower()) if b.doi else None),
            (TKG.pmid, text(b.pmid) if b.pmid else None),
            (TKG.journal, text(b.journal) if b.journal else None),
            (TKG.volume, text(b.volume) if b.volume else None),
            (TKG.issue, text(b.issue) if b.issue else None),
            (TKG.pages, text(b.pages) if b.pages else None),
            (TKG.publicationDate, Literal(b.published) if b.published else None),
            (TKG.accessDate, Literal(b.accessed) if b.accessed else None),
            (TKG.versionDate, Literal(b.version_date) if b.version_date else None),
            (TKG.meeting, text(b.meeting) if b.meeting else None),
            (TKG.abstractNumber, text(b.abstract_number) if b.abstract_number else None),
            (TKG.articleType, text(b.article_type) if b.article_type else None),
            (TKG.publisher, text(b.publisher) if b.publisher else None),
            (TKG.url, Literal(b.url, datatype=XSD.anyURI) if b.url else None),
            (TKG.authorList, text(b.author_list) if b.author_list else None),
        ]
        for p, o in pairs:
            if o is not None:
                g.add((s, p, o))
        for a in b.authors:
            g.add((s, TKG.author, iri.person(a)))
        for st in b.reports:
            g.add((s, TKG.reportsStudy, iri.study(st)))
            g.add((iri.study(st), TKG.reportedIn, s))
        label = b.title or b.meeting or b.journal
        if label:
            g.add((s, RDFS.label, Literal(label)))

    # -- everything a source asserts --------------------------------------------------------

    def emit(self) -> None:
        rec = self.rec
        self.origin[self.source] = ("source",)
        self.evidence(self.source, rec.source.quote)
        for i, pub in enumerate(rec.publications):
            s = self.node(iri.publication(pub.id), ("publications", i))
            self.bibliographic(self.g, s, pub)
            self.evidence(s, pub.quote)
        for i, org in enumerate(rec.organizations):
            s = self.node(
                iri.organization(org.id), ("organizations", i), TKG.Organization, label=org.name
            )
            self.add(s, TKG.location, text(org.location) if org.location else None)
            for made in org.manufactures:
                self.add(s, TKG.manufactures, iri.drug(made))
            self.evidence(s, org.quote)
        for i, person in enumerate(rec.people):
            s = self.node(iri.person(person.id), ("people", i), TKG.Person, label=person.name)
            for a in person.affiliations:
                self.add(s, TKG.affiliatedWith, iri.organization(a))
            self.evidence(s, person.quote)
        for i, d in enumerate(rec.drugs):
            s = self.node(iri.drug(d.id), ("drugs", i), TKG.Drug, label=d.label)
            for c in d.classes:
                self.add(s, RDF.type, vocab.drug_class_term(c))
            for m in d.mechanisms:
                self.add(s, TKG.hasMechanism, vocab.mechanism_term(m))
            for t in d.targets:
                self.add(s, TKG.hasTarget, iri.target(t))
            self.evidence(s, d.quote)
        for i, study in enumerate(rec.studies):
            self.study(study, ("studies", i))

    def study(self, st: Study, loc: Loc) -> None:
        s = self.node(iri.study(st.id), loc, TKG.Study, label=st.label)
        if st.kind:
            self.add(s, RDF.type, vocab.STUDY_KINDS[st.kind])
        if st.allocation:
            self.add(s, TKG.hasAllocation, vocab.ALLOCATIONS[st.allocation])
        if st.phase:
            self.add(s, TKG.phase, vocab.PHASES[st.phase])
        for f in st.design:
            self.add(s, TKG.hasDesignFeature, vocab.DESIGN_FEATURES[f])
        for reg in st.registry_ids:
            self.add(s, TKG.registryId, text(reg))
        self.add(s, TKG.acronym, text(st.acronym) if st.acronym else None)
        self.add(s, TKG.title, text(st.title) if st.title else None)
        self.add(s, TKG.overallStatus, text(st.status) if st.status else None)
        self.evidence(s, st.quote)
        if st.enrollment:
            self.add(s, TKG.enrollment, integer(st.enrollment.value))
            if st.enrollment.type:
                self.add(s, TKG.enrollmentType, vocab.ENROLLMENT_TYPES[st.enrollment.type])
            self.evidence(s, st.enrollment.quote, [TKG.enrollment])
        if st.follow_up:
            self.add(s, TKG.medianFollowUp, decimal(st.follow_up.value))
            self.add(s, TKG.followUpUnit, vocab.UNITS[st.follow_up.unit])
            self.evidence(s, st.follow_up.quote, [TKG.medianFollowUp])
        for o in st.funders:
            self.add(s, TKG.fundedBy, iri.organization(o))
        for o in st.sponsors:
            self.add(s, TKG.sponsoredBy, iri.organization(o))
        for p in st.investigators:
            self.add(s, TKG.hasInvestigator, iri.person(p))
        for pub in st.reported_in:
            target = self.source if pub == self.sid else iri.publication(pub)
            self.add(s, TKG.reportedIn, target)
            self.add(target, TKG.reportsStudy, s)
        if st.population:
            self.population(st, (*loc, "population"))
        for i, sg in enumerate(st.subgroups):
            self.subgroup(st, sg, (*loc, "subgroups", i))
        for i, dc in enumerate(st.data_cuts):
            d = self.node(iri.data_cut(st.id, dc.id), (*loc, "data_cuts", i), TKG.DataCut,
                          label=f"{dc.label} ({st.label})")  # fmt: skip
            self.add(d, TKG.dataCutOf, s)
            self.add(d, TKG.ofStudy, s)
            self.add(d, TKG.dataCutKind, vocab.DATA_CUT_KINDS[dc.kind] if dc.kind else None)
            self.add(d, TKG.dataCutoffDate, Literal(dc.cutoff) if dc.cutoff else None)
            if dc.quote:
                self.evidence(d, dc.quote)
        for i, arm in enumerate(st.arms):
            a = self.node(iri.arm(st.id, arm.id), (*loc, "arms", i), TKG.Arm, label=arm.label)
            self.add(s, TKG.hasArm, a)
            self.add(a, TKG.armOf, s)
            self.add(a, TKG.ofStudy, s)
            if arm.role:
                self.add(a, TKG.armRole, vocab.ARM_ROLES[arm.role])
            if arm.regimen:
                r = self.node(
                    iri.regimen(st.id, arm.id),
                    (*loc, "arms", i, "regimen"),
                    TKG.Regimen,
                    label=arm.regimen.label or f"regimen of {arm.label}",
                )
                self.add(a, TKG.hasRegimen, r)
                self.add(r, TKG.regimenOf, a)
                for comp in arm.regimen.components:
                    self.add(r, TKG.hasComponent, agent(comp))
                    self.add(agent(comp), TKG.componentOf, r)
                if arm.regimen.setting:
                    self.add(r, TKG.regimenSetting, vocab.SETTINGS[arm.regimen.setting])
                for j, dose in enumerate(arm.regimen.doses):
                    self.dose(r, iri.dosage(st.id, arm.id, dose.drug), dose,
                              (*loc, "arms", i, "regimen", "doses", j), arm.label)  # fmt: skip
            if arm.patients:
                self.add(a, TKG.numberOfPatients, integer(arm.patients.value))
                self.evidence(a, arm.patients.quote, [TKG.numberOfPatients])
            self.evidence(a, arm.quote)
        for i, ep in enumerate(st.endpoints):
            label = f"{ep.label or term_label(vocab.ENDPOINT_KINDS[ep.kind])} ({st.label})"
            e = self.node(
                iri.endpoint(st.id, ep.id),
                (*loc, "endpoints", i),
                TKG.Endpoint,
                vocab.ENDPOINT_KINDS[ep.kind],
                label=label,
            )
            self.add(s, TKG.hasEndpoint, e)
            self.add(e, TKG.endpointOf, s)
            self.add(e, TKG.ofStudy, s)
            if ep.role:
                self.add(e, TKG.endpointRole, vocab.ENDPOINT_ROLES[ep.role])
            if ep.assessor:
                self.add(e, TKG.assessedBy, vocab.ASSESSORS[ep.assessor])
            if ep.reported is not None:
                self.add(e, TKG.resultsReported, boolean(ep.reported))
            self.add(e, TKG.timeFrame, text(ep.time_frame) if ep.time_frame else None)
            self.evidence(e, ep.quote, [TKG.resultsReported] if ep.reported is not None else [])
        self.results(st, loc)

    def dose(self, regimen: URIRef, d: URIRef, dose: Dose, loc: Loc, arm_label: str) -> None:
        """How one drug of ``regimen`` is given; the quote is evidence for the amount."""
        self.node(d, loc, TKG.Dosage, label=f"dosage of {dose.drug} ({arm_label})")
        self.add(regimen, TKG.hasDosage, d)
        self.add(d, TKG.dosageOf, iri.drug(dose.drug))
        if dose.amount is not None and dose.unit is not None:
            self.add(d, TKG.doseAmount, decimal(dose.amount))
            self.add(d, TKG.doseUnit, vocab.unit_term(dose.unit))
        self.add(d, TKG.route, vocab.ROUTES[dose.route] if dose.route else None)
        self.add(d, TKG.dosingSchedule, text(dose.schedule) if dose.schedule else None)
        self.evidence(d, dose.quote, [TKG.doseAmount] if dose.amount is not None else [])

    def population(self, st: Study, loc: Loc) -> None:
        pop = st.population
        assert pop is not None
        s = iri.study(st.id)
        p = self.node(iri.population(st.id), loc, TKG.Population, label=f"population of {st.label}")
        self.add(s, TKG.studiesPopulation, p)
        self.characteristics(s, p, pop)

    def subgroup(self, st: Study, sg: Subgroup, loc: Loc) -> None:
        """A subgroup of the study population: part of it (if the source describes it), with
        its own characteristics and size."""
        s = iri.study(st.id)
        p = self.node(iri.subgroup(st.id, sg.id), loc, TKG.Population,
                      label=f"{sg.label} ({st.label})")  # fmt: skip
        if st.population is not None:
            self.add(p, TKG.subpopulationOf, iri.population(st.id))
        if sg.patients is not None:
            self.add(p, TKG.populationSize, integer(sg.patients.value))
            self.evidence(p, sg.patients.quote, [TKG.populationSize])
        self.characteristics(s, p, sg)

    def characteristics(self, s: URIRef, p: URIRef, pop: Population) -> None:
        """What a population's patients share: conditions, biomarkers, line and setting,
        prior treatment, age; with the quotes that state them."""
        self.add(p, TKG.ofStudy, s)
        for c in pop.conditions:
            self.add(p, TKG.hasCondition, vocab.condition_term(c))
        for b in pop.biomarkers:
            self.add(p, TKG.biomarkerStatus, iri.biomarker_status(b))
        if pop.hr_status:
            self.add(p, TKG.hormoneReceptorStatus, vocab.HR_STATUS[pop.hr_status])
        if pop.her2_status:
            self.add(p, TKG.her2Status, vocab.HER2_STATUS[pop.her2_status])
        if pop.line:
            self.add(p, TKG.lineOfTherapy, vocab.LINES[pop.line])
        if pop.setting:
            self.add(p, TKG.therapySetting, vocab.SETTINGS[pop.setting])
        for comp in pop.prior_treatment:
            self.add(p, TKG.priorTreatment, agent(comp))
        for comp in pop.progressed_on:
            self.add(p, TKG.progressedOn, agent(comp))
        if pop.prior_treatment_description:
            self.add(p, TKG.priorTreatmentDescription, text(pop.prior_treatment_description))
        if pop.prior_cycles:
            cyc = pop.prior_cycles
            cycle_props = []
            if cyc.min is not None:
                self.add(p, TKG.minPriorCycles, integer(cyc.min))
                cycle_props.append(TKG.minPriorCycles)
            if cyc.max is not None:
                self.add(p, TKG.maxPriorCycles, integer(cyc.max))
                cycle_props.append(TKG.maxPriorCycles)
            self.evidence(p, cyc.quote, cycle_props)
        if pop.age:
            age = pop.age
            age_props = []
            for prop, value in (
                (TKG.medianAge, age.median),
                (TKG.minAge, age.min),
                (TKG.maxAge, age.max),
            ):
                if value is not None:
                    self.add(p, prop, decimal(value))
                    age_props.append(prop)
            self.evidence(p, age.quote, age_props)
            self.add(p, TKG.ageUnit, vocab.UNITS[age.unit])
        self.evidence(p, pop.quote)

    def results(self, st: Study, loc: Loc) -> None:
        s = iri.study(st.id)
        arm_label = {a.id: a.label for a in st.arms}
        subgroup_label = {sg.id: sg.label for sg in st.subgroups}
        cut_label = {dc.id: dc.label for dc in st.data_cuts}

        def at_cut(cut: str | None) -> str:
            """The words a label of a result at a data cut ends with."""
            return f", {cut_label[cut]}" if cut else ""

        for i, r in enumerate(st.results):
            tp = (r.time_point.value, r.time_point.unit) if r.time_point else None
            node = iri.arm_result(st.id, r.arm, r.endpoint, r.measure, tp,
                                  subgroup=r.subgroup or "", data_cut=r.data_cut or "")  # fmt: skip
            self.node(
                node,
                (*loc, "results", i),
                TKG.Result,
                TKG.ArmResult,
                label=f"{st.label}: {r.endpoint} {r.measure}"
                + (f" at {r.time_point.value} {r.time_point.unit}" if r.time_point else "")
                + f", {arm_label.get(r.arm, r.arm)}"
                + (f", {subgroup_label[r.subgroup]}" if r.subgroup else "")
                + at_cut(r.data_cut),
            )
            self.add(node, TKG.ofStudy, s)
            self.add(node, TKG.atDataCut, iri.data_cut(st.id, r.data_cut) if r.data_cut else None)
            if r.subgroup:
                self.add(node, TKG.forSubgroup, iri.subgroup(st.id, r.subgroup))
            self.add(node, TKG.forArm, iri.arm(st.id, r.arm))
            self.add(iri.arm(st.id, r.arm), TKG.armHasResult, node)
            self.add(node, TKG.forEndpoint, iri.endpoint(st.id, r.endpoint))
            self.add(node, TKG.measure, vocab.MEASURES[r.measure])
            self.figure(node, TKG.value, TKG.valueStatus, r.value)
            self.add(node, TKG.unit, vocab.unit_term(r.unit) if r.unit else None)
            self.ci(node, r.ci)
            for key, spread in (("sd", r.sd), ("se", r.se)):
                if spread is not None:
                    self.add(node, TKG.dispersion, decimal(spread))
                    self.add(node, TKG.dispersionType, text(vocab.DISPERSION_TYPES[key]))
            for key, interval in (("iqr", r.iqr), ("range", r.range)):
                if interval is not None:
                    self.add(node, TKG.lowerLimit, decimal(interval.lower))
                    self.add(node, TKG.upperLimit, decimal(interval.upper))
                    self.add(node, TKG.dispersionType, text(vocab.DISPERSION_TYPES[key]))
            if r.time_point:
                self.add(node, TKG.timePoint, decimal(r.time_point.value))
                self.add(node, TKG.timePointUnit, vocab.UNITS[r.time_point.unit])
            if r.approximate:
                self.add(node, TKG.approximate, boolean(True))
            self.add(node, TKG.note, text(r.note) if r.note else None)
            self.evidence(node, r.quote, _figure_props(self.g, node))
        for i, c in enumerate(st.comparisons):
            sg, cut = c.subgroup or "", c.data_cut or ""
            within = f", {subgroup_label[sg]}" if sg else ""
            within += at_cut(cut)
            comp = self.node(
                iri.comparison(
                    st.id, c.endpoint, c.experimental, c.comparator, subgroup=sg, data_cut=cut
                ),
                (*loc, "comparisons", i),
                TKG.Result,
                TKG.Comparison,
                label=f"{st.label}: {c.endpoint}, {c.experimental} vs {c.comparator}{within}",
            )
            nodes = [comp]
            self.add(
                comp,
                TKG.statisticallySignificant,
                boolean(c.significant) if c.significant is not None else None,
            )
            if c.p_value:
                self.add(comp, TKG.pValue, decimal(c.p_value.value))
                self.add(comp, TKG.pValueComparator, text(c.p_value.comparator))
                if c.p_value.sided:
                    self.add(comp, TKG.sidedness, vocab.SIDEDNESS[c.p_value.sided])
            self.add(comp, TKG.statisticalMethod, text(c.method) if c.method else None)
            if c.hypothesis:
                self.add(comp, TKG.hypothesis, vocab.HYPOTHESES[c.hypothesis])
            if c.margin is not None:
                self.add(comp, TKG.nonInferiorityMargin, decimal(c.margin))
            if c.statistic and c.value is not None:
                est = self.node(
                    iri.estimate(
                        st.id,
                        c.endpoint,
                        c.experimental,
                        c.comparator,
                        c.statistic,
                        subgroup=sg,
                        data_cut=cut,
                    ),
                    (*loc, "comparisons", i),
                    TKG.Result,
                    TKG.EffectEstimate,
                    vocab.STATISTICS[c.statistic],
                    label=f"{st.label}: {c.statistic} {c.endpoint}, "
                    f"{c.experimental} vs {c.comparator}{within}",
                )
                self.add(est, TKG.estimateOf, comp)
                self.add(est, TKG.value, decimal(c.value))
                self.add(est, TKG.unit, vocab.unit_term(c.unit) if c.unit else None)
                self.ci(est, c.ci)
                nodes.append(est)
            for n in nodes:
                self.add(n, TKG.ofStudy, s)
                self.add(n, TKG.forSubgroup, iri.subgroup(st.id, sg) if sg else None)
                self.add(n, TKG.atDataCut, iri.data_cut(st.id, cut) if cut else None)
                self.add(n, TKG.forEndpoint, iri.endpoint(st.id, c.endpoint))
                self.add(n, TKG.experimentalArm, iri.arm(st.id, c.experimental))
                self.add(n, TKG.comparatorArm, iri.arm(st.id, c.comparator))
                self.add(n, TKG.note, text(c.note) if c.note else None)
                self.evidence(n, c.quote, _figure_props(self.g, n))
        for i, ae in enumerate(st.adverse_events):
            term = iri.adverse_event_term(ae.event)
            if ae.event_label:
                self.node(
                    term,
                    (*loc, "adverse_events", i, "event"),
                    TKG.AdverseEventTerm,
                    label=ae.event_label,
                )
            node = iri.adverse_event_result(st.id, ae.arm, ae.event, ae.grade, ae.serious,
                                            data_cut=ae.data_cut or "")  # fmt: skip
            self.node(
                node,
                (*loc, "adverse_events", i),
                TKG.Result,
                TKG.AdverseEventResult,
                label=f"{st.label}: {ae.event_label or ae.event} grade {ae.grade}, "
                f"{arm_label.get(ae.arm, ae.arm)}" + at_cut(ae.data_cut),
            )
            self.add(node, TKG.ofStudy, s)
            self.add(node, TKG.atDataCut, iri.data_cut(st.id, ae.data_cut) if ae.data_cut else None)
            self.add(node, TKG.forArm, iri.arm(st.id, ae.arm))
            self.add(iri.arm(st.id, ae.arm), TKG.armHasResult, node)
            self.add(node, TKG.adverseEvent, term)
            self.add(node, TKG.grade, vocab.GRADES[ae.grade])
            if ae.percentage is not None:
                self.add(node, TKG.percentOfPatients, decimal(ae.percentage))
            if ae.count is not None:
                self.add(node, TKG.patientCount, integer(ae.count))
            if ae.at_risk is not None:
                self.add(node, TKG.patientsAtRisk, integer(ae.at_risk))
            if ae.serious is not None:
                self.add(node, TKG.seriousEvent, boolean(ae.serious))
            if ae.approximate:
                self.add(node, TKG.approximate, boolean(True))
            self.add(node, TKG.note, text(ae.note) if ae.note else None)
            self.evidence(node, ae.quote, _figure_props(self.g, node))


#: Figure properties of result nodes; their evidence names which of these each quote states.
RESULT_FIGURES = (
    TKG.value,
    TKG.valueStatus,
    TKG.ciLower,
    TKG.ciLowerStatus,
    TKG.ciUpper,
    TKG.ciUpperStatus,
    TKG.dispersion,
    TKG.lowerLimit,
    TKG.upperLimit,
    TKG.pValue,
    TKG.statisticallySignificant,
    TKG.nonInferiorityMargin,
    TKG.percentOfPatients,
    TKG.patientCount,
    TKG.patientsAtRisk,
)


def _figure_props(g: Graph, node: URIRef) -> list[URIRef]:
    return [p for p in RESULT_FIGURES if (node, p, None) in g]


def source_graphs(rec: SourceRecord, doc: LoadedYaml, document_text: str) -> SourceGraphs:
    """Build the assertion graph and provenance triples of one source record."""
    em = _Emitter(rec, doc, document_text)
    em.emit()
    prov = Graph()
    src = em.source
    meta = rec.source
    em.bibliographic(prov, src, meta)
    prov.add((src, RDF.type, TKG.SourceDocument))
    prov.add((src, RDF.type, PROV.Entity))
    prov.add((src, TKG.documentFile, Literal(meta.document)))
    digest = hashlib.sha256(document_text.encode("utf-8")).hexdigest()
    prov.add((src, TKG.sha256, Literal(digest)))
    if not meta.title:
        prov.add((src, RDFS.label, Literal(f"{meta.kind} {meta.document}")))
    for c in meta.cites:
        prov.add((src, TKG.cites, iri.publication(c)))
    link_assertion_graph(prov, meta.id)
    return SourceGraphs(meta.id, em.g, prov, em.origin)


def _entity(g: Graph, s: URIRef, cls: URIRef, entity: ReferenceEntity) -> None:
    g.add((s, RDF.type, cls))
    g.add((s, RDFS.label, Literal(entity.label)))
    for syn in entity.synonyms:
        g.add((s, TKG.synonym, Literal(syn)))
    for m in entity.mappings:
        g.add((s, SKOS.exactMatch, expand_curie(m)))


def reference_graph(ref: ReferenceRecord) -> Graph:
    """Triples of kg/reference.yaml plus the 'any agent of a class' nodes."""
    g = Graph()
    for d in ref.drugs:
        s = iri.drug(d.id)
        _entity(g, s, TKG.Drug, d)
        for c in d.classes:
            g.add((s, RDF.type, vocab.drug_class_term(c)))
        for m in d.mechanisms:
            g.add((s, TKG.hasMechanism, vocab.mechanism_term(m)))
        for target_id in d.targets:
            g.add((s, TKG.hasTarget, iri.target(target_id)))
    for tgt in ref.targets:
        _entity(g, iri.target(tgt.id), TKG.MolecularTarget, tgt)
    for a in ref.adverse_events:
        _entity(g, iri.adverse_event_term(a.id), TKG.AdverseEventTerm, a)

    # what the vocabulary lacks: conditions, mechanisms, biomarker statuses and units
    # (individuals, as the ontology's), drug classes (classes of drugs)
    def individual(s: URIRef, cls: URIRef, entity: ReferenceEntity) -> URIRef:
        _entity(g, s, cls, entity)
        g.add((s, RDF.type, OWL.NamedIndividual))
        return s

    for cond in ref.conditions:
        s = individual(iri.condition(cond.id), TKG.Condition, cond)
        if cond.broader:
            g.add((s, SKOS.broader, vocab.condition_term(cond.broader)))
    for mech in ref.mechanisms:
        individual(iri.mechanism(mech.id), TKG.MechanismOfAction, mech)
    for b in ref.biomarker_statuses:
        s = individual(iri.biomarker_status(b.id), TKG.BiomarkerStatus, b)
        if b.target:
            g.add((s, TKG.ofBiomarker, iri.target(b.target)))
    for u in ref.units:
        individual(iri.unit(u.id), TKG.Unit, u)
    for dc in ref.drug_classes:
        s = iri.drug_class(dc.id)
        _entity(g, s, OWL.Class, dc)
        g.add((s, RDFS.subClassOf, vocab.drug_class_term(dc.broader) if dc.broader else TKG.Drug))
    classes = {**vocab.DRUG_CLASSES, **{dc.id: iri.drug_class(dc.id) for dc in ref.drug_classes}}
    for key, cls in classes.items():
        s = iri.class_agent(key)
        g.add((s, RDF.type, TKG.Drug))
        g.add((s, RDF.type, cls))
        g.add((s, TKG.unspecifiedAgent, boolean(True)))
        g.add((s, RDFS.label, Literal(f"{key.replace('-', ' ')} (any agent)")))
    g.add((iri.REFERENCE_GRAPH, RDFS.label, Literal("curated reference entities")))
    return g
