# IMG residency strategy advisor. `make chat` and `make test` are all a newcomer needs;
# every target does the set-up it depends on first and skips what is already current.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV      := .venv
BIN       := $(VENV)/bin
RASA      := $(BIN)/rasa
SPACY_DIR := build/spacy_pipeline
MODEL     := models/advisor.tar.gz

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONHASHSEED := 0
export RASA_PORT ?= 5005
export ACTION_PORT ?= 5055
export ACTION_HOST ?= 127.0.0.1
# The tracker store reads TRACKER_* itself (img_store.tracker_store); SQLite by default.

NLU_SOURCES := $(shell find data -type f -name '*.yml' 2>/dev/null) domain.yml config.yml
SPACY_SOURCES := $(wildcard img_nlp/*.py img_nlp/patterns/*.jsonl) img_strategy/vocabulary.yml

.PHONY: readme-media help setup browser nginx train chat serve serve-cluster test lint unit validate rasa-test bench soak migrate purge embedded-db clean registry

help:
	@echo "make chat   - set up, train, and talk to the advisor in this terminal"
	@echo "make test   - every check (lint, unit, data validation, training, test stories)"
	@echo "make serve  - REST + socketio + HTTP API on \$$RASA_PORT (default 5005)"
	@echo "make bench  - benchmarks against a stock Rasa bot, and scale-out (see README)"
	@echo "make soak   - 100 simulated users for 2 minutes; checks order and cross-talk"

WEB_DIR   := img_channels/web

## setup: venv with Python 3.10, the project installed editable, the spaCy pipeline built,
## the web widget vendored from npm, and Debian's chromium for the browser test.
setup: $(VENV)/.installed $(SPACY_DIR)/.built $(WEB_DIR)/node_modules/.installed browser

$(WEB_DIR)/node_modules/.installed: $(WEB_DIR)/package.json $(WEB_DIR)/package-lock.json
	cd $(WEB_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

browser:
	@scripts/ensure-debian-package.sh chromium chromium

$(VENV)/.installed: pyproject.toml
	@py=$$(scripts/find-python310.sh) ; \
	if [ ! -x $(BIN)/python ] || ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then \
	  rm -rf $(VENV); echo "creating $(VENV) with $$py"; "$$py" -m venv $(VENV); fi
	$(BIN)/python -m pip install --quiet --upgrade "pip<25" wheel "setuptools<71"
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

$(SPACY_DIR)/.built: $(SPACY_SOURCES) | $(VENV)/.installed
	$(BIN)/python -m img_nlp.build $(SPACY_DIR)
	@touch $@

## train: Rasa's fingerprinting skips unchanged parts; a rebuilt spaCy pipeline forces a full
## retrain because Rasa fingerprints the pipeline's path, not its contents.
train: $(MODEL)

$(MODEL): $(NLU_SOURCES) $(SPACY_DIR)/.built | setup
	@mkdir -p var
	$(RASA) train --fixed-model-name advisor --out models \
	  $(if $(filter $(SPACY_DIR)/.built,$?),--force,)
	@touch $@

## chat: the action server in the background, rasa shell in the foreground.
chat: train embedded-db
	@mkdir -p var
	scripts/with-action-server.sh $(RASA) shell --model $(MODEL) --endpoints endpoints.yml

## serve: REST, socketio and the token-protected HTTP API.
serve: train embedded-db
	@mkdir -p var
	@if [ -z "$${RASA_TOKEN:-}" ]; then echo "error: set RASA_TOKEN (the HTTP API's token); see README" >&2; exit 2; fi
	scripts/with-action-server.sh $(RASA) run --model $(MODEL) --endpoints endpoints.yml \
	  --credentials credentials.yml --enable-api --auth-token "$$RASA_TOKEN" \
	  --port $(RASA_PORT) --cors "$${WEB_ORIGIN:-http://localhost:$(RASA_PORT)}"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

unit: setup
	scripts/ensure-postgres.sh
	$(BIN)/python -m pytest -m "not e2e"

## registry: rewrite the question intents in domain.yml and data/rules/rules.yml from the
## question registry (img_strategy/questions.py); `make validate` fails while they are stale.
registry: setup
	$(BIN)/python -m actions.intents

validate: setup
	$(BIN)/python -m actions.intents --check
	$(RASA) data validate --fail-on-warnings --domain domain.yml --data data --config config.yml

rasa-test: train
	@mkdir -p results
	$(RASA) test core --model $(MODEL) --stories tests/ --fail-on-prediction-errors --out results/core
	$(BIN)/python -m img_nlp.evaluate --model $(MODEL) --data tests/nlu_heldout.yml --out results/nlu

## test: every check; the first failure stops it with a non-zero exit.
test: lint validate unit rasa-test nginx
	$(BIN)/python -m pytest -m e2e
	@echo "make test: all checks passed"

## bench: the advisor vs the stock `rasa init` bot (REST, 1/10/50 users), training and
## start-up time, memory, the strategy module alone, one vs two instances behind nginx.
## 8-15 minutes on a 2-vCPU machine; longer: `.venv/bin/python -m bench.run --duration 120 --users 1,10,50,100`.
bench: train nginx
	$(BIN)/python -m bench.run

## soak: 100 simulated users for 2 minutes on two instances (PostgreSQL + Redis + nginx).
soak: train nginx
	$(BIN)/python -m bench.soak

## serve-cluster: CLUSTER_INSTANCES `rasa run` processes on the TRACKER_* PostgreSQL and a
## Redis lock store, behind nginx on CLUSTER_LISTEN (README, Scaling out).
serve-cluster: train nginx
	@if [ -z "$${RASA_TOKEN:-}" ]; then echo "error: set RASA_TOKEN (the HTTP API's token); see README" >&2; exit 2; fi
	$(BIN)/python -m img_deploy.cluster

## readme-media: the README's web-chat chart screenshot and example plan, regenerated with
## the real servers, Debian's chromium and a pinned date (docs/images/, docs/plan-example.md).
readme-media: train
	$(BIN)/python -m img_deploy.readme_media

## The shared services the cluster needs: Debian's nginx, PostgreSQL and Redis.
nginx:
	@scripts/ensure-debian-package.sh nginx nginx
	@scripts/ensure-postgres.sh
	@scripts/ensure-redis.sh

## The embedded SQLite default is upgraded automatically; a configured PostgreSQL is not
## (the servers refuse to start on a behind schema and name `make migrate`).
embedded-db: setup
	@if [ "$${TRACKER_DIALECT:-sqlite}" = sqlite ]; then $(BIN)/python -m img_store migrate; fi

## migrate / purge: the project's own tables (remembered profiles), on the TRACKER_* database.
migrate: setup
	$(BIN)/python -m img_store migrate

PURGE_DAYS ?= 180
purge: setup
	$(BIN)/python -m img_store purge --days $(PURGE_DAYS)

clean:
	rm -rf build models results var .pytest_cache .ruff_cache
