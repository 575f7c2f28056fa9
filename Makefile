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
	@echo "Browse the demo corpus: $(BIN)/presslens serve $(OUT)/demo.duckdb --open"

test: install
	$(BIN)/python -m pytest

eval: install
	@mkdir -p $(OUT)
	$(BIN)/presslens analyze ../shared/data/polnear/data/dev/text -o $(OUT)/polnear-dev.jsonl
	$(BIN)/python ../shared/eval/attribution_score.py --polnear ../shared/data/polnear --split dev --pred $(OUT)/polnear-dev.jsonl

bench: install
	$(BIN)/python benchmarks/analyze_speed.py

clean:
	rm -rf $(VENV) $(OUT) *.egg-info
