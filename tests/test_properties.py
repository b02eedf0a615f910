"""Property tests: random valid instances always give valid schedules; random broken files never crash."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schedlab.bench.suites import find_instance
from schedlab.core.errors import SchedlabError
from schedlab.core.model import Mode, ProblemBuilder
from schedlab.core.validate import first_violation
from schedlab.problems.formats.registry import FORMATS, parse_problem
from schedlab.problems.shop import job_shop
from schedlab.solvers import SolveOptions, solve

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
QUICK = SolveOptions(time_limit=10, seed=0, workers=1)


@st.composite
def job_shops(draw):
    n = draw(st.integers(1, 4))
    m = draw(st.integers(1, 3))
    routes = []
    for _ in range(n):
        machines = draw(st.permutations(list(range(m))))
        routes.append([(k, draw(st.integers(0, 9))) for k in machines])
    return job_shop("random-jssp", routes, m)


@st.composite
def projects(draw):
    n = draw(st.integers(1, 7))
    b = ProblemBuilder("random-project", "rcpsp")
    caps = [draw(st.integers(1, 4)) for _ in range(2)]
    for r, c in enumerate(caps):
        b.add_resource(f"R{r}", c)
    job = b.add_job("project", due=draw(st.integers(0, 20)))
    for _ in range(n):
        modes = []
        for _ in range(draw(st.integers(1, 2))):
            demands = [draw(st.integers(0, c)) for c in caps]
            used = [(r, d) for r, d in enumerate(demands) if d]
            modes.append(Mode(draw(st.integers(0, 6)), tuple(r for r, _ in used), tuple(d for _, d in used)))
        b.add_task(modes, job=job)
    for after in range(n):
        for before in range(after):
            if draw(st.integers(0, 3)) == 0:
                b.add_precedence(before, after, lag=draw(st.integers(0, 2)))
    return b.build()


@SETTINGS
@given(job_shops())
def test_random_job_shops_solve_validly_and_cpsat_matches_milp(problem):
    exact = solve(problem, "cpsat", QUICK)
    assert exact.status.value == "optimal"
    assert first_violation(problem, exact.schedule) is None
    for rule in ("rules:spt", "rules:mwkr", "rules:random", "rules-parallel:lpt"):
        heuristic = solve(problem, rule, QUICK)
        assert first_violation(problem, heuristic.schedule) is None
        assert heuristic.objective >= exact.objective
    milp = solve(problem, "milp", QUICK)
    assert milp.objective == exact.objective


@SETTINGS
@given(projects())
def test_random_projects_solve_validly(problem):
    exact = solve(problem, "cpsat", QUICK)
    assert exact.status.value == "optimal" and first_violation(problem, exact.schedule) is None
    for rule in ("rules:lft", "rules-parallel:lft", "rules:spt", "rules-parallel:random"):
        heuristic = solve(problem, rule, QUICK)
        assert first_violation(problem, heuristic.schedule) is None
        assert heuristic.objective >= exact.objective
    tardy = problem.with_objective(problem.objective.__class__(total_tardiness=1, makespan=1))
    assert solve(tardy, "cpsat", QUICK).objective == solve(tardy, "milp", QUICK).objective


SAMPLES = {
    "jss": FORMATS.get("jss").write(find_instance("ft06").load()),
    "fjs": FORMATS.get("fjs").write(find_instance("Mk01").load()),
    "sm": FORMATS.get("sm").write(find_instance("j301_1").load()),
    "fsp": FORMATS.get("fsp").write(find_instance("ta001").load()),
    "smwt": FORMATS.get("smwt").write(find_instance("wt40-001").load()),
    "json": FORMATS.get("json").write(find_instance("ft06").load()),
}


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(SAMPLES)), st.data())
def test_mutated_files_parse_or_fail_cleanly(fmt, data):
    text = SAMPLES[fmt]
    pos = data.draw(st.integers(0, len(text)))
    junk = data.draw(st.sampled_from(["", "x", "-1", "9999", "\n", " 3", "{", "1.5"]))
    cut = data.draw(st.integers(0, 5))
    mutated = text[:pos] + junk + text[pos + cut:]
    for chosen in (fmt, None):
        try:
            problem = parse_problem(mutated, f"mutated.{fmt}", chosen)
        except SchedlabError as exc:
            assert str(exc).startswith("mutated.")
        else:
            assert len(problem.tasks) >= 1


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_random_text_never_crashes_a_reader(text):
    for fmt in FORMATS.names():
        try:
            problem = parse_problem(text, "random.txt", fmt)
        except SchedlabError as exc:
            assert str(exc).startswith("random.txt")
        else:
            assert len(problem.tasks) >= 1
