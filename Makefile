# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
# HOST: only this computer by default; HOST=0.0.0.0 opens the app to the classroom network
HOST   ?= 127.0.0.1
REPLICAS ?=
# A measuring target writes what it printed into its own section of docs/performance.md, with the
# machine, the date and the commit (bench/report.py); the section is named for the command as typed.
REPORT    = $(BIN)/python -m bench.report
# pytest rewrites the asserts of every test module it imports; with bytecode writing off (some
# machines set PYTHONDONTWRITEBYTECODE=1) it redoes that on every run, half of the collection time.
# The test targets allow it, so the rewritten modules are kept in __pycache__ (ignored by git).
PYTEST    = env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest
LOAD_NOTE = $(if $(strip $(LOAD_ARGS)), LOAD_ARGS="$(strip $(LOAD_ARGS))")

.PHONY: run test test-fast test-e2e bench bench-pages load load-ci clean class class-status class-stop \
        load-class load-clicker load-flood load-lecture

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

# Every test, in two runs: first all that start no real server nor browser, on both cores (the
# quick ones and the slow sweeps); then the `serial` ones one at a time (each starts its own servers or
# browser and times what a student sees). Both always run; either failing fails it.
test: $(VENV)/.installed-dev       ## install test tools and run every test, browser tests included
	@status=0; \
	$(PYTEST) -m "not serial" -n 2 || status=1; \
	$(PYTEST) -m serial || status=1; \
	exit $$status

test-fast: $(VENV)/.installed-dev  ## core, views and AppTest (no browser, no server, nothing slow), on both cores
	$(PYTEST) -m "not serial and not slow" -n 2

test-e2e: $(VENV)/.installed-dev   ## only the real-browser tests
	$(PYTEST) -m e2e

bench: $(VENV)/.installed-dev      ## timings, compared with baselines in the same run
	$(REPORT) 'make bench' -- $(BIN)/python -m bench

bench-pages: $(VENV)/.installed-dev ## page reruns of this checkout (or commit THIS) against commit AGAINST, in turns
	$(REPORT) 'make bench-pages$(if $(THIS), THIS=$(THIS))$(if $(AGAINST), AGAINST=$(AGAINST))$(if $(N), N=$(N))$(if $(ROUNDS), ROUNDS=$(ROUNDS))' -- \
		$(BIN)/python -m bench.pages_bench $(if $(THIS),--this $(THIS)) $(if $(AGAINST),--against $(AGAINST)) \
		$(if $(N),--n $(N)) $(if $(ROUNDS),--rounds $(ROUNDS))

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache .hypothesis

load: $(VENV)/.installed-dev       ## 40 students for a minute, then the play storm, heavy tabs, many runs and a class of 300 (~25 min)
	$(REPORT) 'make load$(LOAD_NOTE)' -- $(BIN)/python -m bench.load --students 40 --seconds 60 \
		--scenarios storm,heavy,heavy3,many,class $(LOAD_ARGS)

load-ci: $(VENV)/.installed-dev    ## the short version that `make test` also runs (10 students, 15 s)
	$(REPORT) 'make load-ci' -- $(BIN)/python -m bench.load --students 10 --seconds 15

class: $(VENV)/.installed          ## a class of hundreds: REPLICAS app servers (default: one per core) behind HAProxy on HOST:PORT, classes in Redis
	$(BIN)/python -m deploy.cluster start --host $(HOST) --port $(PORT) $(if $(REPLICAS),--replicas $(REPLICAS)) --install

class-status: $(VENV)/.installed   ## memory per replica of the running `make class`, what HAProxy sees, and Redis
	$(BIN)/python -m deploy.cluster status --port $(PORT)

class-stop: $(VENV)/.installed     ## stop `make class` (HAProxy, every replica and its training worker, Redis)
	$(BIN)/python -m deploy.cluster stop --port $(PORT)

load-class: $(VENV)/.installed-dev ## 120 students with uploads: one server, then `make class REPLICAS=2`, in one run
	$(REPORT) 'make load-class$(LOAD_NOTE)' -- \
		$(BIN)/python -m bench.load --students 120 --seconds 60 --uploads 0.25 --servers single,2 --quiet-below 2 $(LOAD_ARGS)

load-lecture: $(VENV)/.installed-dev ## make load's class scenario alone: 1 lecturer, 300 students, `make class REPLICAS=2` (~4 min)
	$(REPORT) 'make load-lecture$(LOAD_NOTE)' -- $(BIN)/python -m bench.class_scenario --quiet-below 2.5 $(LOAD_ARGS)

load-clicker: $(VENV)/.installed-dev  ## 10 students beside one session changing the seed 20 times a second
	$(REPORT) 'make load-clicker$(LOAD_NOTE)' -- $(BIN)/python -m bench.load --students 10 --seconds 60 --clicker $(LOAD_ARGS)

load-flood: $(VENV)/.installed-dev ## one session sends 40 direct uploads of 4.9 MB; server memory
	$(REPORT) 'make load-flood$(LOAD_NOTE)' -- $(BIN)/python -m bench.load --flood $(LOAD_ARGS)
