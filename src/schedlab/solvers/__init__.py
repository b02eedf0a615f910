"""Offline solvers, registered by name in ``SOLVERS`` (see ``base``)."""

from schedlab.solvers.base import SOLVERS, SolveOptions, get_solver, solve

__all__ = ["SOLVERS", "SolveOptions", "get_solver", "solve"]
