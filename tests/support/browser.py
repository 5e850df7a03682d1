"""Open generated pages in headless Chromium (Debian's package) with the network blocked."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class PageRun:
    """What one page did: its view state, JavaScript errors, blocked requests, dialogs."""

    view: dict[str, Any]
    errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    wall_ms: float = 0.0


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise RuntimeError(
            "Chromium is not installed: run 'make test-deps' (Debian package chromium)"
        )
    return path


@contextmanager
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()


def open_page(b: Any, path: Path, timeout: float = 60.0, keep: bool = False) -> tuple[PageRun, Any]:
    """Load a page from disk, every non-file request refused; wait until the view is drawn."""
    page = b.new_page(viewport={"width": 1400, "height": 900})
    run = PageRun(view={})
    page.on("console", lambda m: run.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: run.errors.append(str(e)))

    def dialog(d: Any) -> None:
        run.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)

    def route(r: Any) -> None:
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            run.blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    start = time.perf_counter()
    page.goto(path.resolve().as_uri())
    while not page.evaluate("window.trialkgView ? window.trialkgView.ready : false"):
        if run.errors or time.perf_counter() - start > timeout:
            break
        time.sleep(0.02)
    run.wall_ms = (time.perf_counter() - start) * 1000
    run.view = page.evaluate("window.trialkgView || {}")
    if not keep:
        page.close()
        return run, None
    return run, page
