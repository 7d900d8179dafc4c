"""dagrad's standard benchmark workloads (../shared/BENCHMARKS.md) against peers and floors.

Run ``python -m benchmarks`` (or ``make bench``); see benchmarks/README.md. Nothing here is
imported by the engine, and this package imports neither dagrad nor any peer at import time:
the HIPS autograd adapter imports ``benchmarks.*`` from a separate virtualenv, where the name
``autograd`` means HIPS autograd.
"""
