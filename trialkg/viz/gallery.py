"""The standard set of views and plots of a store, written to one folder with an index."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trialkg.viz.style import Styles, load_styles

MAX_TRIAL_VIEWS = 50
STUDIES = """PREFIX tkg: <https://w3id.org/trialkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?study ?label WHERE { ?study a tkg:Study ; rdfs:label ?label }
ORDER BY ?label ?study"""


@dataclass(frozen=True)
class Item:
    """One file of the gallery."""

    file: str
    title: str


def slug(text: str) -> str:
    """A safe file-name part: lower-case letters, digits and dashes."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "view"


def write_gallery(store: Any, folder: Path, styles: Styles | None = None) -> list[Item]:
    """Write the whole-graph view (when not too large), one trial view per study (up to
    ``MAX_TRIAL_VIEWS``), the forest plot and the trade-off plot; return what was written.
    A plot with nothing to draw is left out and listed with the reason."""
    from trialkg.viz import plots
    from trialkg.viz.model import build_graph
    from trialkg.viz.network import write_page
    from trialkg.viz.views import View, finish_view, trial_view

    styles = styles or load_styles()
    folder.mkdir(parents=True, exist_ok=True)
    items: list[Item] = []
    notes: list[str] = []
    graph = build_graph(store, styles=styles)
    if graph.number_of_nodes() <= styles.warn_nodes:
        view: View = finish_view("the whole graph", graph, styles)
        write_page(view, folder / "graph.html", styles)
        items.append(Item("graph.html", f"the whole graph ({graph.number_of_nodes()} nodes)"))
    else:
        notes.append(
            f"the whole graph has {graph.number_of_nodes()} nodes: draw a focus view with "
            "'trialkg viz --focus NODE --depth N'"
        )
    studies = store.select(STUDIES)
    seen: set[str] = set()
    for row in studies[:MAX_TRIAL_VIEWS]:
        iri = row["study"].value
        if iri in seen:
            continue
        seen.add(iri)
        view = trial_view(store, iri, styles)
        name = f"trial-{slug(iri.rsplit('/', 1)[-1])}.html"
        write_page(view, folder / name, styles)
        items.append(Item(name, f"trial view: {row['label'].value}"))
    if len(studies) > MAX_TRIAL_VIEWS:
        notes.append(f"trial views of the first {MAX_TRIAL_VIEWS} of {len(studies)} studies")
    for name, title in (
        ("forest", "forest plot of hazard ratios"),
        ("tradeoff", "grade 3/4 adverse events beside the PFS gain"),
    ):
        try:
            if name == "forest":
                fig = plots.draw_forest(plots.forest_rows(store))
            else:
                fig = plots.draw_tradeoff(plots.tradeoff_rows(store))
        except plots.PlotError as exc:
            notes.append(f"{title}: {exc}")
            continue
        plots.save(fig, folder / f"{name}.svg")
        items.append(Item(f"{name}.svg", title))
    (folder / "index.html").write_text(index_html(items, notes), encoding="utf-8")
    return items


def index_html(items: list[Item], notes: list[str]) -> str:
    """A page linking every item (all text escaped)."""
    links = "".join(
        f'<li><a href="{html.escape(i.file)}">{html.escape(i.title)}</a></li>' for i in items
    )
    extra = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>trialkg views</title></head>"
        f"<body><h1>trialkg views</h1><ul>{links}</ul>"
        + (f"<h2>Notes</h2><ul>{extra}</ul>" if extra else "")
        + "</body></html>"
    )
