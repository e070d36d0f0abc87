# Two commands set everything up: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test setup system-deps serve clean

demo: setup
	$(PY) generate.py data/sample.xlsx --force

test: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(PY) -m pytest

setup: $(STAMP) system-deps

# The web page on http://127.0.0.1:8000/ (HOST=0.0.0.0 PORT=8080 make serve for the intranet).
HOST ?= 127.0.0.1
PORT ?= 8000
serve: setup
	$(PY) -m hino_forms serve --host $(HOST) --port $(PORT)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

# LibreOffice (PDF), a Japanese font, Chromium (browser tests) and python3-uno (the warm
# converter's server) come from Debian's packages.
system-deps:
	@sh scripts/system-deps.sh

clean:
	rm -rf $(VENV) output
