# Two commands do all the set-up on a fresh machine with Python 3:
#   make run    the dashboard on the sample model (models/ and processes/)
#   make test   the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test analyze benchmark clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/streamlit run app.py

test: $(STAMP)
	$(BIN)/python -m pytest -q

analyze: $(STAMP)
	$(BIN)/egov-align analyze models processes

benchmark: $(STAMP)
	$(BIN)/python benchmarks/run.py --scale S

clean:
	rm -rf $(VENV) .egov-align-cache .pytest_cache
