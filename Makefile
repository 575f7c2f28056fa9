# presslens: `make demo` and `make test` are the two commands a new user needs.
# Both create .venv and install everything first (`make install`, a no-op when up to date).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= out

.PHONY: install demo test test-fast eval bench docs clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "presslens needs Python 3.11 or newer: run make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install only when the package definition changes (idempotent).
$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test]"
	$(BIN)/python -c "import spacy, presslens.pipeline.build as n; spacy.load(n.default_model())"
	touch $(STAMP)

install: $(STAMP)

# Analyze the bundled sample corpus: a who-said-what summary here, the full JSON in out/.
demo: install
	@mkdir -p $(OUT)
	$(BIN)/presslens analyze samples/news -o $(OUT)/demo.jsonl --summary
	@echo "Full JSON (schema presslens/1, docs/schema.md): $(OUT)/demo.jsonl"
	$(BIN)/presslens ingest samples/news --db $(OUT)/demo.duckdb --workers 0 --quiet
	@echo "Browse the demo corpus: $(BIN)/presslens serve $(OUT)/demo.duckdb --open"

# The suite in TEST_WORKERS processes (pytest-xdist), a whole file at a time: a file's costly
# shared setup is made once (tests/test_polnear_dev.py analyzes PolNeAR dev, tests/test_scale.py
# runs a local Ray). Not --dist loadgroup: with pytest 9 its groups are silently ignored. The
# slowest files go first (tests/conftest.py orders them; xdist would put the files with the most
# tests first).
TEST_WORKERS ?= 2
PYTEST_XDIST = -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder
test: install
	$(BIN)/python -m pytest $(PYTEST_XDIST)

# The suite without the tests marked slow (PolNeAR dev, kill -9, worker processes): a quick check
# while working; `make test` (and CI) runs everything.
test-fast: install
	$(BIN)/python -m pytest $(PYTEST_XDIST) -m "not slow"

# For each --pipeline: PolNeAR dev (headline figures from the shared scorer, then per publisher,
# per kind, per cue type, per component and the calibration of `confidence`, same matching),
# then the PTC development set with the same scorer's functions. Tables: docs/evaluation.md.
POLNEAR ?= ../shared/data/polnear
SCORER ?= ../shared/eval/attribution_score.py
# The second development set: PTC train articles annotated by hand (eval/ptc-dev/, offsets only).
PTC ?= ../shared/data/ptc
PTC_GOLD ?= eval/ptc-dev
PTC_FILES = $(patsubst $(PTC_GOLD)/%.json,$(PTC)/train-articles/article%.txt,$(wildcard $(PTC_GOLD)/*.json))
eval: install
	@mkdir -p $(OUT)
	@for p in fast default accurate encoder; do \
	  echo "== PolNeAR dev, --pipeline $$p"; \
	  $(BIN)/presslens analyze $(POLNEAR)/data/dev/text --pipeline $$p -o $(OUT)/polnear-dev-$$p.jsonl || exit 1; \
	  $(BIN)/python $(SCORER) --polnear $(POLNEAR) --split dev --pred $(OUT)/polnear-dev-$$p.jsonl || exit 1; \
	  $(BIN)/python -m presslens.pipeline.attribution.evaluate --polnear $(POLNEAR) --split dev --pred $(OUT)/polnear-dev-$$p.jsonl --scorer $(SCORER) || exit 1; \
	  echo "== PTC development set, --pipeline $$p"; \
	  $(BIN)/presslens analyze $(PTC_FILES) --pipeline $$p -o $(OUT)/ptc-dev-$$p.jsonl || exit 1; \
	  $(BIN)/python -m presslens.pipeline.attribution.ptc_eval --ptc $(PTC) --gold $(PTC_GOLD) --pred $(OUT)/ptc-dev-$$p.jsonl --scorer $(SCORER) || exit 1; \
	done
	@# the same PolNeAR dev articles given on one line each (web text), scored on the same gold
	$(BIN)/python eval/one_line.py --pipeline default --polnear $(POLNEAR) --scorer $(SCORER) -o $(OUT)/polnear-dev-one-line.jsonl

bench: install
	$(BIN)/python benchmarks/analyze_speed.py

# Regenerate docs/cli.md from --help after adding or changing a command.
docs: install
	$(BIN)/python docs/cli_reference.py

clean:
	rm -rf $(VENV) $(OUT) *.egg-info
