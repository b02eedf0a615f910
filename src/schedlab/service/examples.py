"""A few bundled example jobs, so a fresh service has something to show."""

from __future__ import annotations

from schedlab.service.store import Store

EXAMPLES = [
    (
        "solve",
        {"instance": "ft06", "solver": "cpsat", "time_limit": 5.0, "seed": 0},
    ),
    ("solve", {"instance": "ta01", "solver": "auto", "time_limit": 10.0, "seed": 0}),
    ("solve", {"instance": "ta01", "solver": "rules:mwkr", "time_limit": 1.0, "seed": 0}),
    ("solve", {"instance": "Mk01", "solver": "auto", "time_limit": 5.0, "seed": 0}),
    ("simulate", {"domain": "llm", "params": {"policy": "sarathi", "requests": 1000, "qps": 5.0}}),
    ("simulate", {"domain": "llm", "params": {"policy": "vllm", "requests": 1000, "qps": 5.0}}),
    ("simulate", {"domain": "dag", "params": {"policy": "etf", "jobs": 300}}),
    ("simulate", {"domain": "cluster", "params": {"policy": "uwfq", "jobs": 300}}),
]


def submit_examples(store: Store) -> list[int]:
    return [store.submit(kind, spec) for kind, spec in EXAMPLES]
