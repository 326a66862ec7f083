# gridwatch: the two commands are `make demo` and `make test`; both set up what is
# missing on a bare Debian machine first (Debian packages, virtual environment).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
DEB_PACKAGES := python3-venv libsqlite3-mod-spatialite postgresql-15-postgis-3 chromium fonts-noto-cjk
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
ENTERPRISES ?= 9000

.PHONY: setup system-deps venv demo test test-fast bench lint clean

setup: system-deps venv

system-deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

demo: setup
	$(VENV)/bin/gridwatch demo --enterprises $(ENTERPRISES)

test: setup
	bash scripts/run-tests.sh

test-fast: venv
	$(PY) -m pytest -q -m "not slow and not browser" tests/unit

bench: setup
	bash scripts/run-bench.sh

lint: venv
	$(VENV)/bin/ruff check gridwatch tests bench

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
