# presslens: `make demo` and `make test` are the two commands a new user needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= out

.PHONY: install demo test eval bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Re-install only when the package definition changes (idempotent).
$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

demo: install
	@mkdir -p $(OUT)
	$(BIN)/presslens analyze samples/news -o $(OUT)/demo.jsonl --summary
	@echo "Full JSON: $(OUT)/demo.jsonl"

test: install
	$(BIN)/python -m pytest

# PolNeAR dev: headline figures from the shared scorer, then per publisher, per kind and the
# calibration of `confidence` (same matching). Tables go to docs/evaluation.md.
POLNEAR ?= ../shared/data/polnear
SCORER ?= ../shared/eval/attribution_score.py
eval: install
	@mkdir -p $(OUT)
	$(BIN)/presslens analyze $(POLNEAR)/data/dev/text -o $(OUT)/polnear-dev.jsonl
	$(BIN)/python $(SCORER) --polnear $(POLNEAR) --split dev --pred $(OUT)/polnear-dev.jsonl
	$(BIN)/python -m presslens.attribution.evaluate --polnear $(POLNEAR) --split dev --pred $(OUT)/polnear-dev.jsonl --scorer $(SCORER)

bench: install
	$(BIN)/python benchmarks/analyze_speed.py

clean:
	rm -rf $(VENV) $(OUT) *.egg-info
