# `make demo` and `make test` are the only commands a new user types: each builds .venv first.
# Afterwards, `source .venv/bin/activate` (or call .venv/bin/python) to use that environment.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CODE := autograd nn optim benchmarks
# linted and type-checked too: the examples, the notebook (ruff reads .ipynb) and docs/images
EXTRA_CODE := examples docs
HIPS_PY := benchmarks/.venv-hips/bin/python

.PHONY: demo lecture-extras cnn bench test test-full lint venv images clean

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

# a small CNN on scikit-learn's 8x8 digits (>= 98% in seconds): its graph and first-layer filters
# in out/digits_cnn
cnn: venv
	$(PY) examples/digits_cnn.py --out out/digits_cnn

# the benchmarks (benchmarks/README.md): peers from PyPI in this venv, HIPS autograd in its own
# (it is imported as `autograd`, like dagrad); `make bench BENCH_ARGS=--quick` takes a few minutes
bench: $(VENV)/.installed-bench $(HIPS_PY)
	$(PY) -m benchmarks $(BENCH_ARGS)

$(VENV)/.installed-bench: pyproject.toml | $(VENV)/.installed
	$(PY) -m pip install -q -e '.[bench]'
	touch $@

$(HIPS_PY): | $(VENV)/.installed-bench
	$(PY) -m benchmarks.hips

# redraw every picture in README.md: draw_graph's, the gradient-flow chart, and lecture 1's
# (a full lecture run, about half a minute)
images: venv
	$(PY) docs/images/make_images.py

lint: venv
	$(PY) -m ruff check $(CODE) $(EXTRA_CODE)
	$(PY) -m ruff format --check $(CODE) $(EXTRA_CODE)
	$(PY) -m mypy $(CODE) $(EXTRA_CODE)

# The tests that compare with PyTorch skip without it; `make test` says so at the end and
# `make test-full` installs it (torch==2.13.0, the CPU build on this machine's disk) first.
test: lint
	$(PY) -m pytest
	@$(PY) -c "import torch" 2>/dev/null || echo "note: the tests that check dagrad against \
	PyTorch were skipped (PyTorch is not installed); make test-full installs torch==2.13.0 \
	(CPU) into .venv and runs them too"

test-full: $(VENV)/.installed-oracle lint
	$(PY) -m pytest

$(VENV)/.installed-oracle: pyproject.toml | $(VENV)/.installed
	$(PY) -m pip install -q -e '.[oracle]'
	touch $@

clean:
	rm -rf $(VENV) benchmarks/.venv-hips benchmarks/results build *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
