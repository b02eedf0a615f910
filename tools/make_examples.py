"""Write the small example instances in schedlab JSON that ship with the package.

Run from the repository root: ``python tools/make_examples.py``.  The numbers are fixed
by hand so that the examples are easy to check; no randomness is involved.
"""

from __future__ import annotations

from pathlib import Path

from schedlab.core.model import Mode, ProblemBuilder
from schedlab.problems.formats.schedlab_json import write_schedlab_json
from schedlab.problems.shop import hybrid_flow_shop, open_shop, parallel_machines

OUT = Path(__file__).resolve().parents[1] / "src" / "schedlab" / "data" / "examples"


def setup_shop():
    """Two machines with sequence-dependent setups, one maintenance window and a blocking pair."""
    b = ProblemBuilder("setup-shop", "general")
    m0 = b.add_machine("lathe", unavailable=[(10, 14)])
    m1 = b.add_machine("mill")
    tasks = []
    for j, route in enumerate([[(0, 3), (1, 4)], [(1, 2), (0, 5)], [(0, 4), (1, 3)], [(1, 3), (0, 2)]]):
        job = b.add_job(f"order{j}", due=12 + 3 * j, weight=1 + j % 2)
        first = b.add_task([(m0 if m == 0 else m1, d) for m, d in route[:1]], job=job, name=f"order{j}.a")
        second = b.add_task([(m0 if m == 0 else m1, d) for m, d in route[1:]], job=job, name=f"order{j}.b")
        b.add_precedence(first, second, blocking=(j == 0))
        tasks += [first, second]
    for a in tasks:
        for c in tasks:
            if a != c:
                for machine in (m0, m1):
                    b.add_setup(machine, a, c, 1 + (a + c) % 3)
    b.set_objective("weighted_tardiness")
    return b.build()


def multi_mode_project():
    """A small multi-mode project on two renewable resources with a time lag."""
    b = ProblemBuilder("multi-mode-project", "rcpsp")
    crew = b.add_resource("crew", 4)
    crane = b.add_resource("crane", 1)
    job = b.add_job("project")
    a = b.add_task([Mode(3, (crew,), (2,)), Mode(2, (crew,), (4,))], job=job, name="foundation")
    c = b.add_task([Mode(4, (crew, crane), (2, 1))], job=job, name="frame")
    d = b.add_task([Mode(2, (crew,), (3,)), Mode(5, (crew,), (1,))], job=job, name="wiring")
    e = b.add_task([Mode(3, (crew,), (2,))], job=job, name="roof")
    b.add_precedence(a, c, lag=1)
    b.add_precedence(a, d)
    b.add_precedence(c, e)
    return b.build()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    problems = [
        parallel_machines(
            "parallel-machines", [[4, 6, None], [3, 3, 5], [7, 5, 6], [2, 4, 3], [5, None, 4], [6, 6, 6]], "total_completion"
        ),
        open_shop("open-shop", [[3, 2, 4], [2, 5, 1], [4, 1, 3]]),
        hybrid_flow_shop("hybrid-flow-shop", [2, 1, 2], [[3, 2, 4], [2, 3, 3], [4, 1, 2], [3, 2, 5], [2, 2, 2]]),
        setup_shop(),
        multi_mode_project(),
    ]
    for problem in problems:
        path = OUT / f"{problem.name}.json"
        path.write_text(write_schedlab_json(problem))
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
