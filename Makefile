# sohoa: `make demo` and `make test` install everything they need, then run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export OMP_THREAD_LIMIT := 1

.PHONY: demo demo-s3 test bench lint samples system-deps clean

demo: $(STAMP)
	rm -rf out
	$(BIN)/sohoa digitize samples/scans --export out
	@echo "Open out/*.pdf (searchable, colour) and out/*.json (document records)."
	@echo "Web app: $(BIN)/sohoa user add NAME --role admin, then $(BIN)/sohoa serve (see README, Web app)."

# The same demo on a real S3 server (SeaweedFS) started on this machine for the run: see README "Scaling out".
demo-s3: $(STAMP)
	scripts/demo-s3.sh

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest --durations=25

bench: $(STAMP)
	scripts/install-system-deps.sh ocrmypdf
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.signing
	$(BIN)/python -m bench.fields
	$(BIN)/python -m bench.fields --by-class
	$(BIN)/python -m bench.heldout_fields
	$(BIN)/python -m bench.workers
	$(BIN)/python -m bench.scale --documents 1000 10000 --bulk
	$(BIN)/python -m bench.scale --documents 1000 10000 100000 --backend postgresql --bulk

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

samples: $(STAMP)
	$(BIN)/python -m samples.make_demo_scans samples/scans

system-deps:
	scripts/install-system-deps.sh

# An editable install leaves the package uncompiled, and with PYTHONDONTWRITEBYTECODE every command would compile
# it again (about 35 ms of each start): compiled here, as pip compiles a wheel it installs.
$(STAMP): pyproject.toml scripts/install-system-deps.sh
	scripts/install-system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	$(BIN)/python -m compileall -q -j 0 sohoa pipeline schemas storage workers web
	touch $(STAMP)

clean:
	rm -rf out out-s3 sohoa-data sohoa-data-s3 .pytest_cache .ruff_cache
