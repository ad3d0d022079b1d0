# The commands a newcomer needs: `make run` (the app), `make check` (ruff and the fast tests, the
# loop while working) and `make test` (everything: what CI runs).
# Each creates or reuses .venv and reinstalls only when a requirements file changed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run check test bench train fonts clean

run: $(VENV)/.app-installed
	$(BIN)/python app.py $(ARGS)

# The fast loop: no server, browser, subprocess or training (tests/conftest.py marks those `server`).
check: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -m "not server" $(PYTEST_ARGS)

# Everything, what CI runs: two workers (2 cores; most tests wait on a server, a browser or a process),
# each test file on one worker so a module's server and browser are started once.
test: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

bench: $(VENV)/.dev-installed
	$(BIN)/python -m bench $(ARGS)

# Debian type faces no model trains on, for `python -m scripts.printed_faces` (printed digits in
# faces never seen), and the ones docs/rejection.md's round four trained on.
FONT_PACKAGES := fonts-freefont-ttf fonts-urw-base35 fonts-noto-core fonts-roboto-unhinted fonts-lato \
                 fonts-open-sans fonts-cantarell
fonts:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(FONT_PACKAGES)

train: $(VENV)/.dev-installed
	$(BIN)/python -m lenet train --variant classic $(ARGS)
	$(BIN)/python -m lenet train --variant modern $(ARGS)
	$(BIN)/python -m lenet train --variant paper $(ARGS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.app-installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.app-installed $@

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
