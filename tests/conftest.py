"""Shared fixtures: the seed documents, a built seed store, a scratch copy of the records."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from trialkg.paths import default_documents_dir, records_dir

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session", autouse=True)
def _rules_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Compiled rules are cached in a folder of the test session, not the user's cache."""
    os.environ["TRIALKG_CACHE"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def documents() -> Path:
    path = default_documents_dir()
    if not path.is_dir():
        pytest.fail(f"seed documents not found at {path}: set TRIALKG_DOCUMENTS")
    return path


@pytest.fixture(scope="session")
def seed_store_root(tmp_path_factory: pytest.TempPathFactory, documents: Path) -> Path:
    """The seed graph built once (with reasoning) into a persistent store."""
    from trialkg.build import build

    root = tmp_path_factory.mktemp("store")
    build(records_dir(), documents, root)
    return root


@pytest.fixture(scope="session")
def seed_store(seed_store_root: Path):  # type: ignore[no-untyped-def]
    from trialkg.store import Store

    return Store.open(seed_store_root)


@pytest.fixture
def records_copy(tmp_path: Path) -> Path:
    """A scratch copy of kg/ that a test may break."""
    dest = tmp_path / "kg"
    shutil.copytree(records_dir(), dest)
    return dest
