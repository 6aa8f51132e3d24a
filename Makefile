# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
HOST   ?= 127.0.0.1        # only this computer; HOST=0.0.0.0 opens the app to the classroom network

.PHONY: run test test-fast test-e2e bench load load-ci clean

$(BIN)/python:
	@echo "== Creating the virtual environment $(VENV) (first run only)"
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	@echo "== Installing the app's packages from requirements.txt (first run only, a minute or two)"
	$(BIN)/python -m pip install --progress-bar on -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	@echo "== Installing the test tools from requirements-dev.txt (first run only)"
	$(BIN)/python -m pip install --progress-bar on -r requirements-dev.txt
	touch $@

run: $(VENV)/.installed            ## install what the app needs and serve it (PORT=8501, HOST=127.0.0.1)
	@echo "== Serving Backprop Explainer on http://$(strip $(HOST)):$(PORT)  (Ctrl-C stops it)"
	$(BIN)/python -m streamlit run app.py --server.address $(strip $(HOST)) --server.port $(PORT)

test: $(VENV)/.installed-dev       ## install test tools and run every test, browser tests included
	$(BIN)/python -m pytest

test-fast: $(VENV)/.installed-dev  ## core, views and AppTest (no browser, no load), on both cores
	$(BIN)/python -m pytest -m "not e2e and not slow" -n 2

test-e2e: $(VENV)/.installed-dev   ## only the real-browser tests
	$(BIN)/python -m pytest -m e2e

bench: $(VENV)/.installed-dev      ## timings, compared with baselines in the same run
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache .hypothesis

load: $(VENV)/.installed-dev       ## 40 students for a minute against a real server; LOAD_ARGS="--mix max" for maximum settings
	$(BIN)/python -m bench.load --students 40 --seconds 60 $(LOAD_ARGS)

load-ci: $(VENV)/.installed-dev    ## the short version that `make test` also runs (10 students, 15 s)
	$(BIN)/python -m bench.load --students 10 --seconds 15
