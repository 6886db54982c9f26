# Two commands do all the set-up on a fresh machine with Python 3:
#   make run    the dashboard on the sample model (models/ and processes/)
#   make test   the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-lowest analyze benchmark clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,pdf]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/egov-align dashboard

test: $(STAMP)
	$(BIN)/python -m pytest -q

# The suite once more against the lowest versions pyproject.toml allows (CI runs it too).
test-lowest: $(STAMP)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv venv --quiet --seed --allow-existing .venv-lowest
	VIRTUAL_ENV=.venv-lowest $(BIN)/uv pip install --quiet --resolution lowest-direct -e '.[test]'
	.venv-lowest/bin/python -m pytest -q -m "not browser" -p no:cacheprovider

analyze: $(STAMP)
	$(BIN)/egov-align analyze --fail-on never  # the sample has error findings on purpose

benchmark: $(STAMP)
	$(BIN)/python benchmarks/run.py --scale S

clean:
	rm -rf $(VENV) .venv-lowest .pytest_cache
