"""Checks of typed records beyond their schema: references, duplicates, sums and quotes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from trialkg.records.loader import LoadedYaml, Loc, RecordIssue
from trialkg.records.model import ClassAgent, Component, ReferenceRecord, SourceRecord, Study


@dataclass
class Known:
    """Ids defined outside one record file: the reference vocabulary."""

    drugs: set[str] = field(default_factory=set)
    targets: set[str] = field(default_factory=set)
    adverse_events: set[str] = field(default_factory=set)

    @classmethod
    def from_reference(cls, ref: ReferenceRecord) -> Known:
        return cls(
            drugs={d.id for d in ref.drugs},
            targets={t.id for t in ref.targets},
            adverse_events={a.id for a in ref.adverse_events},
        )


def _duplicates(ids: Iterable[str]) -> set[str]:
    return {k for k, n in Counter(ids).items() if n > 1}


def duplicate_ids(doc: LoadedYaml, loc: Loc, ids: list[str]) -> Iterator[RecordIssue]:
    """One issue per repeated id, pointing at the repeat and naming the first line."""
    first: dict[str, int] = {}
    for idx, ident in enumerate(ids):
        if ident in first:
            yield doc.issue((*loc, idx, "id"),
                            f"duplicate id {ident!r} (first defined at line {first[ident]})")
        else:
            first[ident] = doc.line_of((*loc, idx, "id"))


def check_reference(ref: ReferenceRecord, doc: LoadedYaml) -> list[RecordIssue]:
    """Duplicate ids and dangling targets in kg/reference.yaml."""
    issues: list[RecordIssue] = []
    for name, items in (("drugs", ref.drugs), ("targets", ref.targets),
                        ("adverse_events", ref.adverse_events)):
        issues += duplicate_ids(doc, (name,), [i.id for i in items])
    targets = {t.id for t in ref.targets}
    for i, d in enumerate(ref.drugs):
        for j, t in enumerate(d.targets):
            if t not in targets:
                issues.append(doc.issue(("drugs", i, "targets", j), f"unknown target {t!r}"))
    return issues


def check_source(
    rec: SourceRecord, doc: LoadedYaml, known: Known, text: str | None
) -> list[RecordIssue]:
    """Every check of one source record file; ``text`` is its document (None: not found)."""
    issues: list[RecordIssue] = []
    add = issues.append

    def unique(loc: Loc, items: list[object]) -> set[str]:
        ids = [getattr(i, "id") for i in items]  # noqa: B009
        issues.extend(duplicate_ids(doc, loc, ids))
        return set(ids)

    pubs = unique(("publications",), list(rec.publications)) | {rec.source.id}
    orgs = unique(("organizations",), list(rec.organizations))
    people = unique(("people",), list(rec.people))
    drugs = unique(("drugs",), list(rec.drugs)) | known.drugs
    studies = unique(("studies",), list(rec.studies))

    def ref(loc: Loc, value: str, pool: set[str], what: str) -> None:
        if value not in pool:
            hint = f"; defined: {', '.join(sorted(pool))}" if pool and len(pool) < 15 else ""
            add(doc.issue(loc, f"unknown {what} {value!r}{hint}"))

    def refs(loc: Loc, values: list[str], pool: set[str], what: str) -> None:
        for i, v in enumerate(values):
            ref((*loc, i), v, pool, what)

    def components(loc: Loc, values: list[Component]) -> None:
        for i, comp in enumerate(values):
            if not isinstance(comp, ClassAgent):
                ref((*loc, i), comp, drugs, "drug")

    src = rec.source
    refs(("source", "cites"), src.cites, pubs, "publication")
    refs(("source", "reports"), src.reports, studies, "study")
    refs(("source", "authors"), src.authors, people, "person")
    for i, p in enumerate(rec.publications):
        refs(("publications", i, "reports"), p.reports, studies, "study")
        refs(("publications", i, "authors"), p.authors, people, "person")
    for i, o in enumerate(rec.organizations):
        refs(("organizations", i, "manufactures"), o.manufactures, drugs, "drug")
    for i, person in enumerate(rec.people):
        refs(("people", i, "affiliations"), person.affiliations, orgs, "organization")
    for i, d in enumerate(rec.drugs):
        refs(("drugs", i, "targets"), d.targets, known.targets, "target")
        if d.id not in known.drugs and not d.label:
            add(doc.issue(("drugs", i, "label"),
                          f"drug {d.id!r} is not in kg/reference.yaml: give it a label"))
    for s_idx, study in enumerate(rec.studies):
        issues.extend(_check_study(study, ("studies", s_idx), doc, orgs, people, pubs,
                                   components, ref, refs, known))
    if text is not None:
        issues.extend(_check_quotes(rec, doc, text))
    return issues


def _check_study(study: Study, loc: Loc, doc: LoadedYaml, orgs: set[str], people: set[str],
                 pubs: set[str], components, ref, refs, known: Known) -> Iterator[RecordIssue]:  # type: ignore[no-untyped-def]
    refs((*loc, "funders"), study.funders, orgs, "organization")
    refs((*loc, "sponsors"), study.sponsors, orgs, "organization")
    refs((*loc, "investigators"), study.investigators, people, "person")
    refs((*loc, "reported_in"), study.reported_in, pubs, "publication")
    if study.population is not None:
        components((*loc, "population", "prior_treatment"), study.population.prior_treatment)
        components((*loc, "population", "progressed_on"), study.population.progressed_on)
    arm_ids = [a.id for a in study.arms]
    ep_ids = [e.id for e in study.endpoints]
    yield from duplicate_ids(doc, (*loc, "arms"), arm_ids)
    yield from duplicate_ids(doc, (*loc, "endpoints"), ep_ids)
    arms, eps = set(arm_ids), set(ep_ids)
    for i, a in enumerate(study.arms):
        if a.regimen is not None:
            components((*loc, "arms", i, "regimen", "components"), a.regimen.components)
    seen: dict[tuple[object, ...], int] = {}

    def once(key: tuple[object, ...], item_loc: Loc, what: str) -> Iterator[RecordIssue]:
        if key in seen:
            yield doc.issue(item_loc, f"duplicate {what}: the same figure is already given "
                                      f"at line {seen[key]}")
        else:
            seen[key] = doc.line_of(item_loc)

    for i, r in enumerate(study.results):
        ref((*loc, "results", i, "arm"), r.arm, arms, "arm")
        ref((*loc, "results", i, "endpoint"), r.endpoint, eps, "endpoint")
        tp = (r.time_point.value, r.time_point.unit) if r.time_point else None
        yield from once(("result", r.arm, r.endpoint, r.measure, tp),
                        (*loc, "results", i), "result")
    for i, c in enumerate(study.comparisons):
        ref((*loc, "comparisons", i, "endpoint"), c.endpoint, eps, "endpoint")
        ref((*loc, "comparisons", i, "experimental"), c.experimental, arms, "arm")
        ref((*loc, "comparisons", i, "comparator"), c.comparator, arms, "arm")
        yield from once(("comparison", c.endpoint, c.experimental, c.comparator),
                        (*loc, "comparisons", i), "comparison")
    for i, ae in enumerate(study.adverse_events):
        ref((*loc, "adverse_events", i, "arm"), ae.arm, arms, "arm")
        if ae.event not in known.adverse_events and not ae.event_label:
            yield doc.issue((*loc, "adverse_events", i, "event"),
                            f"adverse event {ae.event!r} is not in kg/reference.yaml: "
                            "give event_label")
        yield from once(("ae", ae.arm, ae.event, ae.grade, ae.serious),
                        (*loc, "adverse_events", i), "adverse-event result")
    if study.enrollment is not None:
        sized = [a for a in study.arms if a.patients is not None and a.role != "all-participants"]
        total = sum(a.patients.value for a in sized if a.patients is not None)
        if total > study.enrollment.value:
            yield doc.issue((*loc, "arms"),
                            f"arm sizes add up to {total}, more than the enrollment of "
                            f"{study.enrollment.value}")


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
    """Checks between files: unique source ids, one id per DOI and per NCT number."""
    issues: list[RecordIssue] = []
    first_source: dict[str, Path] = {}
    doi_ids: dict[str, tuple[str, Path]] = {}
    nct_ids: dict[str, tuple[str, Path]] = {}
    for rec, doc in records:
        sid = rec.source.id
        if sid in first_source:
            issues.append(doc.issue(("source", "id"),
                                    f"source id {sid!r} is also used by {first_source[sid]}"))
        first_source.setdefault(sid, doc.path)
        bibs: list[tuple[Loc, str, str | None]] = [(("source", "doi"), sid, rec.source.doi)]
        bibs += [(("publications", i, "doi"), p.id, p.doi) for i, p in enumerate(rec.publications)]
        for loc, ident, doi in bibs:
            if doi is None:
                continue
            prev = doi_ids.setdefault(doi.lower(), (ident, doc.path))
            if prev[0] != ident:
                issues.append(doc.issue(loc, f"DOI {doi} is publication {prev[0]!r} in "
                                             f"{prev[1]}: use that id"))
        for s_idx, study in enumerate(rec.studies):
            for r_idx, reg in enumerate(study.registry_ids):
                prev = nct_ids.setdefault(reg, (study.id, doc.path))
                if prev[0] != study.id:
                    issues.append(doc.issue(("studies", s_idx, "registry_ids", r_idx),
                                            f"{reg} is study {prev[0]!r} in {prev[1]}: "
                                            "use that id"))
    return issues
