"""Optimizers and learning-rate schedules for dagrad parameters."""
