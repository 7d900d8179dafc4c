# `make demo` and `make test` are the only commands a new user types: each builds .venv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CODE := autograd nn optim benchmarks
HIPS_PY := benchmarks/.venv-hips/bin/python

.PHONY: demo lecture-extras bench test lint venv images clean

venv: $(VENV)/.installed

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# reinstall only when the project's metadata changes
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[test,dev,plot,progress]'
	touch $@

# the main job: lecture 1 reproduced on the embedded series (pictures and tables in out/lecture1)
demo: venv
	$(PY) examples/lecture1.py

# the lecture's other pieces: backpropagation by hand and by engine, piecewise-linear curves
lecture-extras: venv
	$(PY) examples/backprop.py
	$(PY) examples/piecewise.py

# the benchmarks (benchmarks/README.md): peers from PyPI in this venv, HIPS autograd in its own
# (it is imported as `autograd`, like dagrad); `make bench BENCH_ARGS=--quick` takes a minute
bench: $(VENV)/.installed-bench $(HIPS_PY)
	$(PY) -m benchmarks $(BENCH_ARGS)

$(VENV)/.installed-bench: pyproject.toml | $(VENV)/.installed
	$(PY) -m pip install -q -e '.[bench]'
	touch $@

$(HIPS_PY): | $(VENV)/.installed-bench
	$(PY) -m benchmarks.hips

# redraw the pictures in README.md
images: venv
	$(PY) docs/images/make_images.py

lint: venv
	$(PY) -m ruff check $(CODE)
	$(PY) -m ruff format --check $(CODE)
	$(PY) -m mypy $(CODE)

test: lint
	$(PY) -m pytest

clean:
	rm -rf $(VENV) benchmarks/.venv-hips benchmarks/results build *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
