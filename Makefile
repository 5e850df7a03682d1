# trialkg: one command to set up, build and show the graph; one to run every test.
#   make run    set up (venv, package, Java), build the graph into ./build/store, show its
#               statistics and conflicts, then serve it at http://127.0.0.1:7878/
#   make test   set up, then lint, type-check and run the whole test suite

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup java graphviz test-deps run test lint typecheck pytest docs clean

setup: $(VENV)/.installed java graphviz

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The OWL reasoner (HermiT) runs on Java: install a JRE when none is on PATH.
java:
	@command -v java >/dev/null 2>&1 || { \
	  echo "installing a Java runtime for the HermiT reasoner"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends default-jre-headless; }

# Network views are laid out by Graphviz's sfdp (fast on thousands of nodes).
graphviz:
	@command -v sfdp >/dev/null 2>&1 || { \
	  echo "installing Graphviz for network-view layouts"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends graphviz; }

# The external-store tests run the query library on Virtuoso Open Source (Debian package);
# the browser tests open the network views in headless Chromium (Debian package).
test-deps:
	@command -v virtuoso-t >/dev/null 2>&1 || { \
	  echo "installing Virtuoso Open Source for the external-store tests"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends virtuoso-opensource-7-bin; }
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium; }

run: setup
	$(BIN)/trialkg show
	$(BIN)/trialkg serve

lint: setup
	$(BIN)/ruff check trialkg tests benchmarks
	$(BIN)/ruff format --check trialkg tests benchmarks

typecheck: setup
	$(BIN)/mypy

pytest: setup test-deps
	$(BIN)/pytest

test: lint typecheck pytest

# HTML reference of every ontology term (a build artefact, not committed).
docs: setup
	mkdir -p build/docs
	$(BIN)/python -m trialkg.gen_docs build/docs/ontology.html
	@echo "wrote build/docs/ontology.html"

clean:
	rm -rf build dist .pytest_cache .mypy_cache .ruff_cache
