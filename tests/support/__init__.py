"""Helpers shared by the test packages: finite differences, the bad-input row runner, paths."""
