# orderbot: `make run` sets up everything and starts the stack; `make test` sets up and runs every test.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
APP_PY := var/env/app/bin/python
RASA := var/env/rasa/bin/rasa
RASA_PY := var/env/rasa/bin/python
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: run test setup envs database train lint validate test-app test-actions test-stories browser bench lock clean

## run: set up everything, then start and supervise every service (Ctrl-C stops them all)
run: setup
	$(APP_PY) -m scripts.run

## test: set up everything, then run every test (unit, integration, live services, browser)
test: setup browser lint validate test-app test-actions test-stories
	@echo "==> all test suites passed"

setup: envs database train

envs:
	@scripts/setup_env.sh

## database: migrate the backend database and load the demo data when it is new
database: envs
	@$(APP_PY) -m backend.manage setup

## train: train the Rasa model when data/, domain.yml, config.yml or bot/ changed
train: envs
	@scripts/train.sh

## lint: pyflakes-class errors (undefined or unused names) anywhere in our Python
lint: envs
	var/env/app/bin/ruff check --select F --target-version py310 --output-format concise .

validate: envs
	PYTHONPATH=. $(RASA_PY) scripts/validate_bot.py

browser:
	@scripts/setup_browser.sh

test-app: envs
	$(APP_PY) -m pytest tests --ignore=tests/actions --ignore=tests/bot

test-actions: envs
	$(RASA_PY) -m pytest tests/actions tests/bot -p no:cacheprovider -W ignore::pytest.PytestConfigWarning

## test-stories: the bot's test stories against the trained model
test-stories: train
	@scripts/test_stories.sh

## bench: run the benchmarks and print their figures (figures go in docs/benchmarks.md)
bench: setup
	-$(APP_PY) bench/bench_orders.py --db sqlite --db postgres --write-docs
	-$(APP_PY) bench/bench_channels.py --rasa-delay-ms 0 --rasa-delay-ms 200 --write-docs
	-$(APP_PY) bench/bench_notifications.py --write-docs
	-$(APP_PY) bench/bench_reports.py --db sqlite --db postgres --write-docs
	-$(APP_PY) bench/bench_forecast.py --write-docs
	-$(APP_PY) bench/bench_turns.py --write-docs

## lock: re-resolve the pinned Rasa environment after editing requirements/rasa.in
lock: envs
	var/env/app/bin/uv pip compile --quiet --python-version 3.10 --python-platform x86_64-unknown-linux-gnu \
	  --no-header requirements/rasa.in -o requirements/rasa.txt
	sed -i '1i # Locked from requirements/rasa.in by `make lock` (uv pip compile for Python 3.10). Do not edit by hand.' requirements/rasa.txt

## clean: remove runtime state (databases, models, logs) but keep the environments
clean:
	rm -rf var/data var/rasa var/models var/log var/test-artifacts
