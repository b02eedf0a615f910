"""Benchmark suites with best-known values, and the runner that compares solvers on them."""
