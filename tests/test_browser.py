"""Generated pages in a real browser: headless Chromium, network blocked, no JavaScript errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks.viz_browser import synthetic_graph
from tests.support.browser import browser, open_page
from tests.support.hostile import HOSTILE, HOSTILE_QUOTE, hostile_store
from trialkg.store import Store
from trialkg.viz.gallery import write_gallery
from trialkg.viz.layout import force_layout
from trialkg.viz.network import write_page
from trialkg.viz.views import View, focus_view, query_view, whole_view

pytestmark = [pytest.mark.browser, pytest.mark.reasoner]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with browser() as b:
        yield b


@pytest.fixture(scope="module")
def gallery(seed_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("gallery")
    write_gallery(seed_store, folder)
    return folder


def test_every_gallery_page_draws_offline(chromium: Any, gallery: Path, seed_store: Store) -> None:
    pages = sorted(gallery.glob("*.html"))
    assert len(pages) == 5  # index, whole graph, three trial views
    expected = {"graph.html": whole_view(seed_store).graph.number_of_nodes()}
    for page in pages:
        if page.name == "index.html":
            continue
        run, _ = open_page(chromium, page)
        assert run.errors == [] and run.blocked == [], page.name
        assert run.view["ready"], page.name
        assert run.view["drawn"] == run.view["nodes"] > 0, page.name
        if page.name in expected:
            assert run.view["drawn"] == expected[page.name]


def test_focus_and_query_views_draw(chromium: Any, seed_store: Store, tmp_path: Path) -> None:
    views = {
        "focus": focus_view(seed_store, "palbociclib", 2),
        "query": query_view(
            seed_store,
            "PREFIX tkg: <https://w3id.org/trialkg/ontology#> "
            "CONSTRUCT { ?s tkg:studiesDrug ?d } WHERE { ?s tkg:studiesDrug ?d }",
        ),
    }
    for name, view in views.items():
        path = tmp_path / f"{name}.html"
        write_page(view, path)
        run, _ = open_page(chromium, path)
        assert run.errors == [] and run.blocked == [], name
        assert run.view["drawn"] == view.graph.number_of_nodes(), name


def test_hostile_labels_stay_text(chromium: Any, tmp_path: Path) -> None:
    path = tmp_path / "hostile.html"
    write_page(whole_view(hostile_store()), path)
    run, page = open_page(chromium, path, keep=True)
    try:
        assert run.errors == [] and run.dialogs == [] and run.view["drawn"] == 2
        # select each node: the details panel shows the label and the quote as text
        texts = []
        for node_id in (0, 1):
            page.evaluate(f"window.trialkgNetwork.emit('selectNode', {{nodes: [{node_id}]}})")
            inner = "#details script, #details img, #details b"
            assert page.evaluate(f"document.querySelectorAll('{inner}').length") == 0
            texts.append(page.evaluate("document.getElementById('details').textContent"))
        assert any(HOSTILE in t for t in texts)
        assert any(HOSTILE_QUOTE in t for t in texts)
        assert any('"study" & <b>bold</b>' in t for t in texts)
        assert page.evaluate("document.title") == "trialkg: the whole graph"
        assert run.dialogs == []
    finally:
        page.close()


def test_a_5000_node_view_draws(chromium: Any, tmp_path: Path) -> None:
    graph = synthetic_graph(5000)
    positions, method = force_layout(graph)
    path = tmp_path / "big.html"
    write_page(View("synthetic", graph, positions, method, False), path)
    run, _ = open_page(chromium, path, timeout=120)
    assert run.errors == [] and run.blocked == []
    assert run.view["drawn"] == graph.number_of_nodes() >= 5000
