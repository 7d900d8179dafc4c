"""Lecture 1 reproduced with dagrad; run it with examples/lecture1.py (see its docstring)."""
