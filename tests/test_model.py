import dataclasses

import pytest

from schedlab.core.errors import ModelError
from schedlab.core.model import Mode, Objective, ProblemBuilder


def _two_task_builder() -> ProblemBuilder:
    b = ProblemBuilder("tiny")
    m = b.add_machine()
    job = b.add_job(due=5)
    b.add_task([(m, 2)], job=job)
    b.add_task([(m, 3)], job=job)
    return b


def test_problem_is_frozen_after_build():
    problem = _two_task_builder().build()
    with pytest.raises(dataclasses.FrozenInstanceError):
        problem.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        problem.metadata["x"] = 1  # type: ignore[index]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda b: b.add_task([Mode(-1, (0,), (1,))]), "negative duration"),
        (lambda b: b.add_task([Mode(1, (7,), (1,))]), "out of range"),
        (lambda b: b.add_task([Mode(1, (0,), (2,))]), "exceeds capacity"),
        (lambda b: (b.add_precedence(0, 1), b.add_precedence(1, 0)), "cycle"),
        (lambda b: b.add_precedence(0, 9), "bad task index"),
        (lambda b: b.add_setup(0, 0, 1, -2), "negative duration"),
        (lambda b: b.add_precedence(0, 1, no_wait=True, blocking=True), "exclude"),
        (lambda b: b.add_resource("R0"), "duplicate resource name"),
    ],
)
def test_invalid_models_are_rejected_with_a_reason(change, message):
    b = _two_task_builder()
    b.resources[0] = dataclasses.replace(b.resources[0], name="R0")
    change(b)
    with pytest.raises(ModelError, match=message):
        b.build()


def test_due_date_objective_needs_due_dates():
    b = ProblemBuilder("no-due")
    m = b.add_machine()
    b.add_task([(m, 1)], job=b.add_job())
    b.set_objective("total_tardiness")
    with pytest.raises(ModelError, match="due dates"):
        b.build()


def test_objective_description_and_unknown_name():
    assert Objective(makespan=1, total_tardiness=3).describe() == "makespan + 3*total_tardiness"
    with pytest.raises(ModelError, match="known"):
        Objective.of("speed")


def test_topological_order_respects_precedences(j301_1):
    position = {t: i for i, t in enumerate(j301_1.topological_order)}
    assert all(position[p.before] < position[p.after] for p in j301_1.precedences)
    assert j301_1.horizon() >= sum(t.modes[0].duration for t in j301_1.tasks)
