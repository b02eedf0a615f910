"""Shared fixtures: tiny hand-checked problems and bundled instances."""

from __future__ import annotations

import pytest

from schedlab.bench.suites import find_instance
from schedlab.core.model import Problem
from schedlab.problems.shop import single_machine


@pytest.fixture(scope="session")
def ft06() -> Problem:
    return find_instance("ft06").load()


@pytest.fixture(scope="session")
def j301_1() -> Problem:
    return find_instance("j301_1").load()


@pytest.fixture
def tardiness3() -> Problem:
    """Hand-checked: jobs (p, w, d) = A(2,1,3), B(3,2,4), C(1,3,2).

    Order C, B, A finishes at 1, 4, 6: only A is late (by 3, weight 1), so the weighted
    tardiness is 3; every other order is worse (C, A, B gives 4; A, C, B gives 7).
    """
    return single_machine("tardiness3", [2, 3, 1], [1, 2, 3], [3, 4, 2])
