"""The validator must catch each kind of violation, and name it."""

import pytest

from schedlab.core.model import Mode, ProblemBuilder
from schedlab.core.schedule import Schedule, ScheduledTask
from schedlab.core.validate import InfeasibleScheduleError, check_schedule, first_violation


def _shop(**kwargs):
    b = ProblemBuilder("v")
    m0 = b.add_machine("M0", unavailable=kwargs.get("down", ()))
    b.add_resource("crew", 2)
    j0 = b.add_job("J0", release=kwargs.get("release", 0), deadline=kwargs.get("deadline"))
    a = b.add_task([(m0, 2)], job=j0, name="a")
    c = b.add_task([Mode(3, (m0,), (1,)), Mode(1, (1,), (2,))], job=j0, name="c")
    d = b.add_task([Mode(2, (1,), (1,))], name="d")
    e = b.add_task([Mode(2, (1,), (2,))], name="e")
    b.add_precedence(a, c, lag=kwargs.get("lag", 0), no_wait=kwargs.get("no_wait", False),
                     blocking=kwargs.get("blocking", False))
    if kwargs.get("setup"):
        b.add_setup(m0, a, c, kwargs["setup"])
    del d, e
    return b.build()


def _sched(*items):
    return Schedule(ScheduledTask(*i) for i in items)


GOOD = [(0, 0, 0, 2), (1, 0, 2, 5), (2, 0, 0, 2), (3, 0, 2, 4)]


def test_feasible_schedule_passes():
    assert first_violation(_shop(), _sched(*GOOD)) is None


@pytest.mark.parametrize(
    ("problem_kwargs", "items", "message"),
    [
        ({}, GOOD[:3], "not scheduled"),
        ({}, GOOD + [(0, 0, 0, 2)], "scheduled twice"),
        ({}, [(0, 0, 0, 3)] + GOOD[1:], "takes 2"),
        ({}, [(0, 0, 0, 2), (1, 0, 1, 4)] + GOOD[2:], "precedence"),
        ({"lag": 2}, GOOD, "lag 2"),
        ({"no_wait": True}, [(0, 0, 0, 2), (1, 0, 3, 6)] + GOOD[2:], "no-wait"),
        ({"setup": 1}, GOOD, "setup 1"),
        ({"release": 1}, GOOD, "release"),
        ({"deadline": 4}, GOOD, "deadline"),
        ({"down": [(3, 4)]}, GOOD, "downtime"),
        ({}, [(0, 0, 0, 2), (1, 1, 2, 3), (2, 0, 2, 4), (3, 0, 5, 7)], "capacity"),
        ({"blocking": True}, [(0, 0, 0, 2), (1, 0, 4, 7), (2, 0, 0, 2), (3, 0, 2, 4), ], None),
        ({}, [(0, 0, 0, 2), (1, 5, 2, 5)] + GOOD[2:], "mode 5 does not exist"),
    ],
)
def test_each_violation_is_named(problem_kwargs, items, message):
    problem = _shop(**problem_kwargs)
    violation = first_violation(problem, _sched(*items))
    if message is None:
        assert violation is None
    else:
        assert violation is not None and message in violation
        with pytest.raises(InfeasibleScheduleError, match=message):
            check_schedule(problem, _sched(*items))


def test_blocking_keeps_the_machine_until_the_successor_starts():
    b = ProblemBuilder("blocking")
    m0, m1 = b.add_machine(), b.add_machine()
    j0, j1 = b.add_job(), b.add_job()
    a = b.add_task([(m0, 2)], job=j0)
    c = b.add_task([(m1, 2)], job=j0)
    d = b.add_task([(m0, 1)], job=j1)
    b.add_precedence(a, c, blocking=True)
    problem = b.build()
    # a ends at 2 but its successor only starts at 4: m0 is blocked until 4, so d at 2 clashes
    violation = first_violation(problem, _sched((a, 0, 0, 2), (c, 0, 4, 6), (d, 0, 2, 3)))
    assert violation is not None and "occupies it until 4" in violation
    assert first_violation(problem, _sched((a, 0, 0, 2), (c, 0, 4, 6), (d, 0, 4, 5))) is None
