"""Dispatching rules inside schedule-generation schemes."""

from schedlab.solvers.rules import solver  # noqa: F401  (registers rules:*)
