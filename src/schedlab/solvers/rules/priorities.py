"""Dispatching-rule definitions: one code per rule, shared by Giffler-Thompson and the SGS.

Scores are minimised; ties go to the lower task index, so every rule is deterministic
(``random`` draws its keys from a seeded generator).
"""

from __future__ import annotations

RULES: dict[str, tuple[int, str]] = {
    "spt": (0, "shortest processing time"),
    "lpt": (1, "longest processing time"),
    "mwkr": (2, "most work remaining (job, or critical tail in a project)"),
    "lwkr": (3, "least work remaining"),
    "mor": (4, "most operations remaining"),
    "fcfs": (5, "first come first served (earliest ready time)"),
    "edd": (6, "earliest due date"),
    "mdd": (7, "modified due date: max(d, t + remaining work)"),
    "atc": (8, "apparent tardiness cost (Vepsalainen-Morton, k=2)"),
    "cr": (9, "critical ratio (d - t) / remaining work"),
    "slack": (10, "minimum slack d - t - remaining work"),
    "random": (11, "uniform random priority (seeded)"),
    "lft": (12, "latest finish time (backward pass)"),
    "lst": (13, "latest start time (backward pass)"),
    "mts": (14, "most total successors"),
    "grpw": (15, "greatest rank positional weight"),
}

ATC_K = 2.0
NO_DUE = 1 << 40
