"""Local-search solvers (tabu search, iterated local search, iterated greedy) with Numba hot loops."""
