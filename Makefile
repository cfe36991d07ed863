# Huhang: `make demo` serves the synthetic district, `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
DEMO_SIZE ?= demo
# Extras to install; CI adds `spark` (pyspark, needs Java 17) so that the Spark tests run there.
EXTRAS ?= test
comma  := ,
STAMP  := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))
export HUHANG_DATA_DIR ?= $(CURDIR)/var

.PHONY: setup demo serve test lint bench clean messages

# The stamp is rebuilt when pyproject.toml changes, so `make` reinstalls after dependency changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[$(EXTRAS)]'
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/huhang migrate --no-input
	$(BIN)/huhang demo_data --size $(DEMO_SIZE) --feeds "$(HUHANG_DATA_DIR)/demo-feeds"
	@echo "Demo department feeds to upload (数据导入): $(HUHANG_DATA_DIR)/demo-feeds/ (see docs/feeds.md)"
	$(BIN)/huhang collectstatic --no-input --verbosity 0
	@echo "Serving Huhang on http://127.0.0.1:$(PORT)/ (Ctrl-C to stop)"
	@# The background-task worker (screenings started from the page) runs beside the web server
	@# and stops with it.
	$(BIN)/huhang db_worker --interval 1 & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn huhang.wsgi --bind 127.0.0.1:$(PORT) --workers 2 --threads 4 --access-logfile -

test: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Packages mypy checks (django-stubs): every app but the synthetic-data generator (demo).
MYPY_PACKAGES ?= $(addprefix src/huhang/,core regions accounts registry cases benefits screening community reports workbench api)

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy $(MYPY_PACKAGES)

# The benchmarks need the `bench` extra too (locust, for the load figure).
bench:
	$(MAKE) setup EXTRAS=test,bench
	$(BIN)/python -m bench

messages: setup
	cd src/huhang && ../../$(BIN)/huhang makemessages -l en --no-obsolete && ../../$(BIN)/huhang compilemessages

clean:
	rm -rf $(VENV) var .pytest_cache
