"""Reproductions of published comparisons, run with schedlab's solvers."""
