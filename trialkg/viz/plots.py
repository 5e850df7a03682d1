"""Plots drawn from the query library: a forest plot of hazard ratios and the efficacy/toxicity
trade-off (grade 3/4 adverse-event rates by arm beside the progression-free-survival gain).

Each plot is two steps: ``*_rows`` runs a library query and returns typed rows (tested
against the seed graph), ``draw_*`` turns rows into a matplotlib figure (tested on what it
plotted). ``save`` writes PNG or SVG.
"""

from __future__ import annotations

import math
import textwrap
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from trialkg.display import short
from trialkg.viz.model import iri_ref

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FORMATS = ("png", "svg")
POPULATION_CLASSES = """PREFIX tkg: <https://w3id.org/trialkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?study ?label WHERE {
  ?study tkg:studiesPopulation ?pop .
  ?pop a ?cls .
  ?cls rdfs:subClassOf tkg:Population ; rdfs:label ?label .
  FILTER (?cls != tkg:Population)
}"""


class PlotError(ValueError):
    """A plot that cannot be drawn; the message says why."""


@dataclass(frozen=True, order=True)
class ForestRow:
    """One hazard ratio as one source states it."""

    endpoint: str
    trial: str
    source: str
    population: str
    experimental: str
    comparator: str
    value: float
    ci_lower: float | None
    ci_upper: float | None
    ci_level: float | None
    data_cut: str = ""  # the analysis it is reported at ("final analysis"), if named

    @property
    def label(self) -> str:
        at = f", {self.data_cut}" if self.data_cut else ""
        return f"{self.trial}: {self.population}{at} [{self.source}]"


@dataclass(frozen=True, order=True)
class TradeOffRow:
    """Adverse-event rates of one grade in both arms of a trial, beside the PFS gain."""

    trial: str
    grade: str
    source: str
    experimental: str
    comparator: str
    ae_experimental: float
    ae_comparator: float
    pfs_experimental: float
    pfs_comparator: float

    @property
    def pfs_gain(self) -> float:
        return round(self.pfs_experimental - self.pfs_comparator, 6)


def _query_text(slug: str) -> str:
    from trialkg.query import library

    for query in library():
        if query.slug == slug:
            return query.text
    raise PlotError(f"the query library has no {slug}.rq")


def _num(term: Any) -> float | None:
    return None if term is None else float(Decimal(term.value))


def _populations(store: Any) -> dict[str, str]:
    found: dict[str, set[str]] = defaultdict(set)
    for row in store.select(POPULATION_CLASSES):
        found[row["study"].value].add(row["label"].value)
    return {
        study: ", ".join(sorted(label.removesuffix(" population") for label in labels))
        for study, labels in found.items()
    }


def forest_rows(store: Any, endpoint_class: str | None = None) -> list[ForestRow]:
    """Hazard ratios (``queries/forest-plot.rq``), optionally of one kind of endpoint.

    Args:
        store: the store to query.
        endpoint_class: IRI of an endpoint class (e.g. progression-free survival); ``None``
            for every endpoint.
    """
    rows = store.select(_query_text("forest-plot"))
    if endpoint_class is not None:
        members = {
            r["e"].value
            for r in store.select(f"SELECT ?e WHERE {{ ?e a {iri_ref(endpoint_class)} }}")
        }
        rows = [r for r in rows if r["endpoint"].value in members]
    populations = _populations(store)
    out = set()
    for r in rows:
        population = populations.get(r["study"].value) or (
            r["population"].value if r["population"] is not None else "population not stated"
        )
        if r["subgroup"] is not None:  # reported for a subgroup of that population
            population = f"subgroup: {r['subgroup'].value}"
        out.add(
            ForestRow(
                endpoint=r["endpointLabel"].value,
                trial=r["trial"].value,
                source=short(r["source"].value).removeprefix("id:source/"),
                population=population,
                experimental=r["experimental"].value,
                comparator=r["comparator"].value,
                value=float(Decimal(r["value"].value)),
                ci_lower=_num(r["ciLower"]),
                ci_upper=_num(r["ciUpper"]),
                ci_level=_num(r["ciLevel"]),
                data_cut=r["dataCut"].value if r["dataCut"] is not None else "",
            )
        )
    return sorted(out)


def tradeoff_rows(store: Any) -> list[TradeOffRow]:
    """Rows of ``queries/efficacy-toxicity.rq`` that state adverse-event rates in both arms."""
    labels = {
        r["s"].value: r["l"].value
        for r in store.select(
            "PREFIX tkg: <https://w3id.org/trialkg/ontology#> "
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            "SELECT ?s ?l WHERE { ?s a tkg:Study ; rdfs:label ?l }"
        )
    }
    out = set()
    for r in store.select(_query_text("efficacy-toxicity")):
        if r["aeExperimental"] is None or r["aeComparator"] is None:
            continue
        out.add(
            TradeOffRow(
                trial=labels.get(r["study"].value, short(r["study"].value)),
                grade=r["grade"].value,
                source=short(r["aeSource"].value).removeprefix("id:source/"),
                experimental=r["experimental"].value,
                comparator=r["comparator"].value,
                ae_experimental=float(Decimal(r["aeExperimental"].value)),
                ae_comparator=float(Decimal(r["aeComparator"].value)),
                pfs_experimental=float(Decimal(r["pfsExperimental"].value)),
                pfs_comparator=float(Decimal(r["pfsComparator"].value)),
            )
        )
    return sorted(out)


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def draw_forest(rows: list[ForestRow], title: str = "Hazard ratios") -> Figure:
    """Forest plot: one row per (estimate, source), log-scaled x axis, line of no effect at 1."""
    if not rows:
        raise PlotError("no hazard ratios to plot (none in the graph for this endpoint)")
    for row in rows:
        values = [row.value] + [v for v in (row.ci_lower, row.ci_upper) if v is not None]
        if not finite(values):
            raise PlotError(f"{row.label}: a hazard ratio and its CI must be positive: {values}")
    plt = _pyplot()
    height = 1.5 + 0.6 * len(rows)
    fig, ax = plt.subplots(figsize=(10, height))
    ys = list(range(len(rows)))[::-1]
    for y, row in zip(ys, rows, strict=True):
        if row.ci_lower is not None and row.ci_upper is not None:
            ax.errorbar(
                row.value,
                y,
                xerr=[[row.value - row.ci_lower], [row.ci_upper - row.value]],
                fmt="s",
                color="#1f4e79",
                ecolor="#1f4e79",
                capsize=4,
                gid=f"row-{y}",
            )
            text = f"{row.value:g} ({row.ci_lower:g}–{row.ci_upper:g})"
        else:
            ax.plot([row.value], [y], "s", color="#7f7f7f", gid=f"row-{y}")
            text = f"{row.value:g} (CI not reported)"
        ax.annotate(
            text, (1.0, y), xycoords=("axes fraction", "data"), xytext=(6, 0),
            textcoords="offset points", va="center", fontsize=8,
        )  # fmt: skip
    ax.axvline(1.0, color="#b00000", linestyle="--", linewidth=1, label="no effect (HR = 1)")
    ax.set_xscale("log")
    from matplotlib.ticker import FuncFormatter

    plain = FuncFormatter(lambda v, _: f"{v:g}")
    ax.xaxis.set_major_formatter(plain)
    ax.xaxis.set_minor_formatter(plain)
    ax.tick_params(axis="x", which="minor", labelsize=7)
    lows = [r.ci_lower or r.value for r in rows]
    highs = [r.ci_upper or r.value for r in rows]
    lo, hi = min(min(lows), 1.0), max(max(highs), 1.0)
    ax.set_xlim(lo / 1.25, hi * 1.25)
    ax.set_yticks(ys)
    ax.set_yticklabels(
        [
            f"{r.trial} [{r.source}]\n{textwrap.shorten(r.population, 60)}\n{r.endpoint}"
            for r in rows
        ],
        fontsize=8,
    )
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_xlabel("hazard ratio (log scale); < 1 favours the experimental arm")
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return cast("Figure", fig)


def draw_tradeoff(rows: list[TradeOffRow]) -> Figure:
    """Grouped bars of grade 3 / grade 4 / grade 3-4 adverse-event rates per arm and trial
    (one group per trial, grade and source), beside each trial's median PFS gain."""
    if not rows:
        raise PlotError("no trial states adverse-event rates in both arms beside a PFS comparison")
    plt = _pyplot()
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(13, 1.5 + 0.5 * len(rows)), gridspec_kw={"width_ratios": [3, 1.3]}
    )
    width = 0.38
    xs = list(range(len(rows)))
    left.bar(
        [x - width / 2 for x in xs], [r.ae_experimental for r in rows], width,
        color="#c0392b", label="experimental arm", gid="experimental",
    )  # fmt: skip
    left.bar(
        [x + width / 2 for x in xs], [r.ae_comparator for r in rows], width,
        color="#95a5a6", label="comparator arm", gid="comparator",
    )  # fmt: skip
    for x, r in zip(xs, rows, strict=True):
        left.annotate(f"{r.ae_experimental:g}", (x - width / 2, r.ae_experimental), ha="center",
                      va="bottom", fontsize=7)  # fmt: skip
        left.annotate(f"{r.ae_comparator:g}", (x + width / 2, r.ae_comparator), ha="center",
                      va="bottom", fontsize=7)  # fmt: skip
    left.set_xticks(xs)
    left.set_xticklabels([f"{r.trial}\n{r.grade}\n[{r.source}]" for r in rows], fontsize=7)
    left.set_ylabel("patients with the adverse event (%)")
    left.set_ylim(0, max(100.0, max(r.ae_experimental for r in rows) * 1.1))
    left.set_title("Grade 3 / grade 4 adverse events (any event) by arm")
    left.legend(fontsize=8)
    trials: dict[str, TradeOffRow] = {}
    for r in rows:
        trials.setdefault(r.trial, r)
    names = sorted(trials)
    gains = [trials[t].pfs_gain for t in names]
    right.barh(names, gains, color="#2e86c1", gid="pfs-gain")
    for i, t in enumerate(names):
        r = trials[t]
        right.annotate(
            f"{r.pfs_gain:+g} mo ({r.pfs_experimental:g} vs {r.pfs_comparator:g})",
            (max(r.pfs_gain, 0), i), xytext=(4, 0), textcoords="offset points", va="center",
            fontsize=8,
        )  # fmt: skip
    right.set_xlim(0, max(max(gains), 1.0) * 1.8)
    right.set_xlabel("median PFS gain (months)")
    right.set_title("Efficacy gain")
    fig.tight_layout()
    return cast("Figure", fig)


def save(fig: Figure, path: Path) -> None:
    """Write a figure as PNG or SVG (by the file's suffix), atomically."""
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise PlotError(f"{path}: write a plot as .png or .svg, not .{fmt or '(none)'}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fig.savefig(tmp, format=fmt, dpi=150, metadata={"Date": None} if fmt == "svg" else None)
    tmp.replace(path)
    _pyplot().close(fig)


def finite(values: list[float]) -> bool:
    """True when every value is a finite number (guards log-scale plots)."""
    return all(math.isfinite(v) and v > 0 for v in values)
