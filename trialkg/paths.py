"""Where trialkg finds its packaged data (ontology, queries, curated records) and documents."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent


def data_dir(name: str) -> Path:
    """Return a top-level data folder (``ontology``, ``queries``, ``kg``).

    A checkout uses the folder beside the package; an installed wheel carries a copy
    under ``trialkg/_data``.
    """
    packaged = PACKAGE_DIR / "_data" / name
    if packaged.is_dir():
        return packaged
    return PROJECT_DIR / name


def ontology_file() -> Path:
    """The hand-edited ontology Turtle file."""
    return data_dir("ontology") / "trialkg.ttl"


def shapes_file() -> Path:
    """The SHACL shapes for instance data."""
    return data_dir("ontology") / "shapes.ttl"


def records_dir() -> Path:
    """The folder of curated records (``kg/``)."""
    return data_dir("kg")


def queries_dir() -> Path:
    """The SPARQL query library."""
    return data_dir("queries")


def default_documents_dir() -> Path:
    """Where source document texts are read from unless a path is given.

    ``$TRIALKG_DOCUMENTS`` wins; otherwise ``../shared/seeds`` beside the checkout,
    then beside the working directory.
    """
    env = os.environ.get("TRIALKG_DOCUMENTS")
    if env:
        return Path(env)
    for base in (PROJECT_DIR, Path.cwd()):
        candidate = base.parent / "shared" / "seeds"
        if candidate.is_dir():
            return candidate
    return PROJECT_DIR.parent / "shared" / "seeds"


def default_store_dir() -> Path:
    """Default location of the persistent store: ``./build/store``."""
    return Path(os.environ.get("TRIALKG_STORE", "build/store"))
