"""Checks of typed records beyond their schema: references, duplicates, sums and quotes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from trialkg import vocab
from trialkg.records.loader import LoadedYaml, Loc, RecordIssue
from trialkg.records.model import (
    ClassAgent,
    Component,
    Population,
    ReferenceEntity,
    ReferenceRecord,
    Regimen,
    SourceRecord,
    Study,
)


@dataclass
class Known:
    """Ids defined outside one record file: the reference vocabulary, and the conditions,
    mechanisms, drug classes and units of the controlled vocabulary with those it adds."""

    drugs: set[str] = field(default_factory=set)
    targets: set[str] = field(default_factory=set)
    adverse_events: set[str] = field(default_factory=set)
    conditions: set[str] = field(default_factory=lambda: set(vocab.CONDITIONS))
    mechanisms: set[str] = field(default_factory=lambda: set(vocab.MECHANISMS))
    drug_classes: set[str] = field(default_factory=lambda: set(vocab.DRUG_CLASSES))
    biomarker_statuses: set[str] = field(default_factory=set)
    units: set[str] = field(default_factory=lambda: {*vocab.UNITS, *vocab.DOSE_UNITS})

    @classmethod
    def from_reference(cls, ref: ReferenceRecord) -> Known:
        return cls(
            drugs={d.id for d in ref.drugs},
            targets={t.id for t in ref.targets},
            adverse_events={a.id for a in ref.adverse_events},
            conditions=set(vocab.CONDITIONS) | {c.id for c in ref.conditions},
            mechanisms=set(vocab.MECHANISMS) | {m.id for m in ref.mechanisms},
            drug_classes=set(vocab.DRUG_CLASSES) | {c.id for c in ref.drug_classes},
            biomarker_statuses={b.id for b in ref.biomarker_statuses},
            units={*vocab.UNITS, *vocab.DOSE_UNITS} | {u.id for u in ref.units},
        )


def duplicate_ids(doc: LoadedYaml, loc: Loc, ids: list[str]) -> Iterator[RecordIssue]:
    """One issue per repeated id, pointing at the repeat and naming the first line."""
    first: dict[str, int] = {}
    for idx, ident in enumerate(ids):
        if ident in first:
            yield doc.issue(
                (*loc, idx, "id"), f"duplicate id {ident!r} (first defined at line {first[ident]})"
            )
        else:
            first[ident] = doc.line_of((*loc, idx, "id"))


def check_reference(ref: ReferenceRecord, doc: LoadedYaml) -> list[RecordIssue]:
    """Duplicate ids, ids the vocabulary already has, and dangling references in
    kg/reference.yaml."""
    issues: list[RecordIssue] = []
    sections: list[tuple[str, Sequence[ReferenceEntity]]] = [
        ("drugs", ref.drugs),
        ("targets", ref.targets),
        ("adverse_events", ref.adverse_events),
        ("conditions", ref.conditions),
        ("mechanisms", ref.mechanisms),
        ("drug_classes", ref.drug_classes),
        ("biomarker_statuses", ref.biomarker_statuses),
        ("units", ref.units),
    ]
    for name, items in sections:
        issues += duplicate_ids(doc, (name,), [i.id for i in items])
    from trialkg.triples.curated import expand_curie

    for name, items in sections:
        for idx, item in enumerate(items):
            for m_idx, mapping in enumerate(item.mappings):
                try:
                    expand_curie(mapping)
                except ValueError as exc:
                    issues.append(doc.issue((name, idx, "mappings", m_idx), str(exc)))
    for name, table, items in (
        ("conditions", vocab.CONDITIONS, ref.conditions),
        ("mechanisms", vocab.MECHANISMS, ref.mechanisms),
        ("drug_classes", vocab.DRUG_CLASSES, ref.drug_classes),
        ("units", vocab.UNITS | vocab.DOSE_UNITS, ref.units),
    ):
        for idx, item in enumerate(items):
            if item.id in table:
                issues.append(
                    doc.issue((name, idx, "id"), f"{item.id!r} is already in the vocabulary")
                )
    known = Known.from_reference(ref)

    def dangling(loc: Loc, value: str | None, pool: set[str], what: str) -> None:
        if value is not None and value not in pool:
            issues.append(doc.issue(loc, f"unknown {what} {value!r}"))

    for i, d in enumerate(ref.drugs):
        for j, t in enumerate(d.targets):
            dangling(("drugs", i, "targets", j), t, known.targets, "target")
        for j, c in enumerate(d.classes):
            dangling(("drugs", i, "classes", j), c, known.drug_classes, "drug class")
        for j, m in enumerate(d.mechanisms):
            dangling(("drugs", i, "mechanisms", j), m, known.mechanisms, "mechanism")
    for i, cond in enumerate(ref.conditions):
        dangling(("conditions", i, "broader"), cond.broader, known.conditions, "condition")
    for i, cls in enumerate(ref.drug_classes):
        dangling(("drug_classes", i, "broader"), cls.broader, known.drug_classes, "drug class")
    for i, status in enumerate(ref.biomarker_statuses):
        dangling(("biomarker_statuses", i, "target"), status.target, known.targets, "target")
    return issues


def check_source(
    rec: SourceRecord, doc: LoadedYaml, known: Known, text: str | None
) -> list[RecordIssue]:
    """Every check of one source record file; ``text`` is its document (None: not found)."""
    checker = _SourceChecker(rec, doc, known)
    checker.run()
    if text is not None:
        checker.issues.extend(_check_quotes(rec, doc, text))
    return checker.issues


class _SourceChecker:
    """References, duplicates and sums within one source record."""

    def __init__(self, rec: SourceRecord, doc: LoadedYaml, known: Known) -> None:
        self.rec, self.doc, self.known = rec, doc, known
        self.issues: list[RecordIssue] = []

    def ids(self, loc: Loc, ids: list[str]) -> set[str]:
        self.issues.extend(duplicate_ids(self.doc, loc, ids))
        return set(ids)

    def ref(self, loc: Loc, value: str, pool: set[str], what: str) -> None:
        if value not in pool:
            hint = f"; defined: {', '.join(sorted(pool))}" if pool and len(pool) < 15 else ""
            self.issues.append(self.doc.issue(loc, f"unknown {what} {value!r}{hint}"))

    def refs(self, loc: Loc, values: list[str], pool: set[str], what: str) -> None:
        for i, v in enumerate(values):
            self.ref((*loc, i), v, pool, what)

    def components(self, loc: Loc, values: list[Component]) -> None:
        for i, comp in enumerate(values):
            if isinstance(comp, ClassAgent):
                self.ref((*loc, i, "drug_class"), comp.drug_class, self.known.drug_classes,
                         "drug class")  # fmt: skip
            else:
                self.ref((*loc, i), comp, self.drugs, "drug")

    def doses(self, loc: Loc, regimen: Regimen) -> None:
        """Each dose is of a named drug of its regimen, once, in a known unit."""
        named = [c for c in regimen.components if not isinstance(c, ClassAgent)]
        seen: set[str] = set()
        for i, dose in enumerate(regimen.doses):
            if dose.drug not in named:
                hint = f"; its drugs: {', '.join(named)}" if named else "; it names no drug"
                self.issues.append(
                    self.doc.issue(
                        (*loc, "doses", i, "drug"),
                        f"dose of {dose.drug!r}, which is not a component of this regimen{hint}",
                    )
                )
            elif dose.drug in seen:
                self.issues.append(
                    self.doc.issue((*loc, "doses", i, "drug"), f"a second dose of {dose.drug!r}")
                )
            seen.add(dose.drug)
            if dose.unit is not None:
                self.ref((*loc, "doses", i, "unit"), dose.unit, self.known.units, "unit")

    def run(self) -> None:
        rec, known = self.rec, self.known
        self.pubs = self.ids(("publications",), [p.id for p in rec.publications]) | {rec.source.id}
        self.orgs = self.ids(("organizations",), [o.id for o in rec.organizations])
        self.people = self.ids(("people",), [p.id for p in rec.people])
        self.drugs = self.ids(("drugs",), [d.id for d in rec.drugs]) | known.drugs
        self.studies = self.ids(("studies",), [s.id for s in rec.studies])
        src = rec.source
        self.refs(("source", "cites"), src.cites, self.pubs, "publication")
        self.refs(("source", "reports"), src.reports, self.studies, "study")
        self.refs(("source", "authors"), src.authors, self.people, "person")
        for i, p in enumerate(rec.publications):
            self.refs(("publications", i, "reports"), p.reports, self.studies, "study")
            self.refs(("publications", i, "authors"), p.authors, self.people, "person")
        for i, o in enumerate(rec.organizations):
            self.refs(("organizations", i, "manufactures"), o.manufactures, self.drugs, "drug")
        for i, person in enumerate(rec.people):
            self.refs(("people", i, "affiliations"), person.affiliations, self.orgs, "organization")
        for i, d in enumerate(rec.drugs):
            self.refs(("drugs", i, "targets"), d.targets, known.targets, "target")
            self.refs(("drugs", i, "classes"), d.classes, known.drug_classes, "drug class")
            self.refs(("drugs", i, "mechanisms"), d.mechanisms, known.mechanisms, "mechanism")
            if d.id not in known.drugs and not d.label:
                self.issues.append(
                    self.doc.issue(
                        ("drugs", i, "label"),
                        f"drug {d.id!r} is not in kg/reference.yaml: give it a label",
                    )
                )
        for i, study in enumerate(rec.studies):
            self.study(study, ("studies", i))

    def study(self, study: Study, loc: Loc) -> None:
        doc = self.doc
        self.refs((*loc, "funders"), study.funders, self.orgs, "organization")
        self.refs((*loc, "sponsors"), study.sponsors, self.orgs, "organization")
        self.refs((*loc, "investigators"), study.investigators, self.people, "person")
        self.refs((*loc, "reported_in"), study.reported_in, self.pubs, "publication")
        populations: list[tuple[Loc, Population]] = [
            ((*loc, "subgroups", i), sg) for i, sg in enumerate(study.subgroups)
        ]
        if study.population is not None:
            populations.insert(0, ((*loc, "population"), study.population))
        for pop_loc, pop in populations:
            self.refs((*pop_loc, "conditions"), pop.conditions, self.known.conditions,
                      "condition")  # fmt: skip
            self.refs((*pop_loc, "biomarkers"), pop.biomarkers, self.known.biomarker_statuses,
                      "biomarker status")  # fmt: skip
            self.components((*pop_loc, "prior_treatment"), pop.prior_treatment)
            self.components((*pop_loc, "progressed_on"), pop.progressed_on)
        subgroups = self.ids((*loc, "subgroups"), [sg.id for sg in study.subgroups])
        cuts = self.ids((*loc, "data_cuts"), [dc.id for dc in study.data_cuts])
        arms = self.ids((*loc, "arms"), [a.id for a in study.arms])
        eps = self.ids((*loc, "endpoints"), [e.id for e in study.endpoints])
        for i, a in enumerate(study.arms):
            if a.regimen is not None:
                self.components((*loc, "arms", i, "regimen", "components"), a.regimen.components)
                self.doses((*loc, "arms", i, "regimen"), a.regimen)
        seen: dict[tuple[object, ...], int] = {}

        def once(key: tuple[object, ...], item_loc: Loc, what: str) -> None:
            if key in seen:
                self.issues.append(
                    doc.issue(
                        item_loc,
                        f"duplicate {what}: the same figure is already given at line {seen[key]}",
                    )
                )
            else:
                seen[key] = doc.line_of(item_loc)

        for i, r in enumerate(study.results):
            if r.unit is not None:
                self.ref((*loc, "results", i, "unit"), r.unit, self.known.units, "unit")
            if r.subgroup is not None:
                self.ref((*loc, "results", i, "subgroup"), r.subgroup, subgroups, "subgroup")
            if r.data_cut is not None:
                self.ref((*loc, "results", i, "data_cut"), r.data_cut, cuts, "data cut")
            self.ref((*loc, "results", i, "arm"), r.arm, arms, "arm")
            self.ref((*loc, "results", i, "endpoint"), r.endpoint, eps, "endpoint")
            tp = (r.time_point.value, r.time_point.unit) if r.time_point else None
            once(("result", r.arm, r.endpoint, r.measure, tp, r.subgroup, r.data_cut),
                 (*loc, "results", i), "result")  # fmt: skip
        for i, c in enumerate(study.comparisons):
            c_loc = (*loc, "comparisons", i)
            if c.unit is not None:
                self.ref((*c_loc, "unit"), c.unit, self.known.units, "unit")
            if c.subgroup is not None:
                self.ref((*c_loc, "subgroup"), c.subgroup, subgroups, "subgroup")
            if c.data_cut is not None:
                self.ref((*c_loc, "data_cut"), c.data_cut, cuts, "data cut")
            self.ref((*c_loc, "endpoint"), c.endpoint, eps, "endpoint")
            self.ref((*c_loc, "experimental"), c.experimental, arms, "arm")
            self.ref((*c_loc, "comparator"), c.comparator, arms, "arm")
            once(("comparison", c.endpoint, c.experimental, c.comparator, c.subgroup,
                  c.data_cut), c_loc, "comparison")  # fmt: skip
        for i, ae in enumerate(study.adverse_events):
            ae_loc = (*loc, "adverse_events", i)
            self.ref((*ae_loc, "arm"), ae.arm, arms, "arm")
            if ae.data_cut is not None:
                self.ref((*ae_loc, "data_cut"), ae.data_cut, cuts, "data cut")
            if ae.event not in self.known.adverse_events and not ae.event_label:
                self.issues.append(
                    doc.issue(
                        (*ae_loc, "event"),
                        f"adverse event {ae.event!r} is not in kg/reference.yaml: give event_label",
                    )
                )
            once(("ae", ae.arm, ae.event, ae.grade, ae.serious, ae.data_cut), ae_loc,
                 "adverse-event result")  # fmt: skip
        if study.enrollment is not None:
            total = sum(
                a.patients.value
                for a in study.arms
                if a.patients is not None and a.role != "all-participants"
            )
            if total > study.enrollment.value:
                self.issues.append(
                    doc.issue(
                        (*loc, "arms"),
                        f"arm sizes add up to {total}, more than the enrollment of "
                        f"{study.enrollment.value}",
                    )
                )


def _walk_quotes(obj: object, loc: Loc) -> Iterator[tuple[Loc, str]]:
    if isinstance(obj, dict):
        for key, value in obj.items():
            if key == "quote":
                for i, q in enumerate(value):
                    yield ((*loc, "quote", i) if len(value) > 1 else (*loc, "quote")), q
            else:
                yield from _walk_quotes(value, (*loc, key))
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield from _walk_quotes(value, (*loc, i))


def _check_quotes(rec: SourceRecord, doc: LoadedYaml, text: str) -> Iterator[RecordIssue]:
    for loc, quote in _walk_quotes(rec.model_dump(), ()):
        if not quote.strip():
            yield doc.issue(loc, "empty quote")
        elif quote not in text:
            yield doc.issue(loc, f"quote not found verbatim in {rec.source.document}: {quote!r}")


def check_across(
    records: list[tuple[SourceRecord, LoadedYaml]],
) -> list[RecordIssue]:
    """Checks between files: unique source ids, one id per DOI, PMID and NCT number."""
    issues: list[RecordIssue] = []
    first_source: dict[str, Path] = {}
    doi_ids: dict[str, tuple[str, Path]] = {}
    nct_ids: dict[str, tuple[str, Path]] = {}
    for rec, doc in records:
        sid = rec.source.id
        if sid in first_source:
            issues.append(
                doc.issue(
                    ("source", "id"), f"source id {sid!r} is also used by {first_source[sid]}"
                )
            )
        first_source.setdefault(sid, doc.path)
        bibs: list[tuple[Loc, str, str | None]] = [(("source", "doi"), sid, rec.source.doi)]
        bibs += [(("publications", i, "doi"), p.id, p.doi) for i, p in enumerate(rec.publications)]
        bibs += [(("source", "pmid"), sid, rec.source.pmid and f"PMID {rec.source.pmid}")]
        bibs += [
            (("publications", i, "pmid"), p.id, p.pmid and f"PMID {p.pmid}")
            for i, p in enumerate(rec.publications)
        ]
        for loc, ident, doi in bibs:
            if doi is None:
                continue
            prev = doi_ids.setdefault(doi.lower(), (ident, doc.path))
            if prev[0] != ident:
                name = doi if doi.startswith("PMID") else f"DOI {doi}"
                issues.append(
                    doc.issue(loc, f"{name} is publication {prev[0]!r} in {prev[1]}: use that id")
                )
        for s_idx, study in enumerate(rec.studies):
            for r_idx, reg in enumerate(study.registry_ids):
                prev = nct_ids.setdefault(reg, (study.id, doc.path))
                if prev[0] != study.id:
                    issues.append(
                        doc.issue(
                            ("studies", s_idx, "registry_ids", r_idx),
                            f"{reg} is study {prev[0]!r} in {prev[1]}: use that id",
                        )
                    )
    return issues
