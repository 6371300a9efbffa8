# The two commands a newcomer needs: `make run` (the demo main job, offline) and `make test` (lint, types, tests).
# Both create or refresh .venv from pyproject.toml first, then rebuild the offline base model if it is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.molva-installed

.PHONY: run test venv models lint types pytest clean-venv

run: models
	$(BIN)/molva run --config configs/demo.yaml

test: models lint types pytest

venv: $(STAMP)

# Reinstall whenever pyproject.toml changes. torch==2.13.0 resolves to the CPU build; fastapi==0.150.0 keeps Prefect's server working.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

models: venv
	$(BIN)/molva models build

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: venv
	$(BIN)/mypy

pytest: venv
	$(BIN)/pytest

clean-venv:
	rm -rf $(VENV)
