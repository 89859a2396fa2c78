# The two commands of the README: `make run` and `make test`. Both create .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install install-test lint bench

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e '.[semantic]'

install-test: $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'

# With a Telegram or VK token (environment or .env) the real bot; without one the demo against the emulator.
run: install
	@if [ -n "$$TELEGRAM_BOT_TOKEN$$VK_GROUP_TOKEN" ] || grep -qs '^\(TELEGRAM_BOT_TOKEN\|VK_GROUP_TOKEN\)=.' .env; then \
		$(BIN)/modbot run; else $(BIN)/modbot demo; fi

# pytest exits 5 when it collected no test; make treats every non-zero exit as a failure.
test: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

bench: install
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/faq.py
