"""Labels from a search solver: the Giffler-Thompson choices that follow a searched schedule's machine orders.

Why: self-labelling learns from the best of the policy's own K samples, and every lite variant
trained that way (more decisions, more width, lookahead input) stopped at the same greedy
quality on the validation shops. A search solver (tabu search by default) reaches near-optimal
schedules of the small training shops in a fraction of a second. Replaying such a schedule in
Giffler-Thompson, choosing in each conflict set the job whose operation comes first in the
searched schedule's order on m*, gives the decisions of a much stronger teacher for the same
cross-entropy (`imitate.imitate`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from schedlab.learn.jobshop import JobShopArrays, JobShopDispatch, RandomJobShops
from schedlab.problems.generators import random_job_shop

SOLVER_TEACHER = "solver:"  # --teacher solver:NAME[@STEPS]
DEFAULT_STEPS = 20_000  # search steps per training shop when STEPS is not given


def solver_teacher(spec: str | None) -> tuple[str, int] | None:
    """`solver:NAME[@STEPS]` as (NAME, STEPS); None for anything else (a policy file, or no teacher). A STEPS that
    is not a positive integer raises ValueError."""
    if not spec or not spec.startswith(SOLVER_TEACHER):
        return None
    name, _, steps = spec.removeprefix(SOLVER_TEACHER).partition("@")
    if steps and not (steps.isdigit() and int(steps) > 0):
        raise ValueError(f"--teacher {spec}: expected solver:NAME@STEPS with a positive step count")
    return name, int(steps) if steps else DEFAULT_STEPS


def follow_schedule(arrays: JobShopArrays, target_start: np.ndarray, width: int | None = None, lookahead: bool = False
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Replay `target_start` (per (job, position)) in Giffler-Thompson; the (observation, legal mask, choice) of
    every step with more than one legal job, and the replayed makespan. A target made by GT itself is repeated
    exactly; a searched schedule comes back active and close to its own makespan (tabu's schedules of 10x10 and
    15x15 shops: 1.003x on average), not always below it, since the conflict set can hold an operation that the
    target ran later on m* while the one it ran first there cannot yet start before c*."""
    state = JobShopDispatch(arrays, width, lookahead)
    observations, masks, actions = [], [], []
    while not state.done:
        legal = np.flatnonzero(state.legal)
        choice = int(legal[np.argmin(target_start[legal, state.position[legal]])])
        if legal.size > 1:
            observations.append(state.observation())
            masks.append(state.legal.copy())
            actions.append(choice)
        state.step(choice)
    if not actions:
        return (np.zeros((0, state.max_jobs, state.n_features), np.float32), np.zeros((0, state.max_jobs), bool),
                np.zeros(0, np.int64), state.makespan)
    return np.stack(observations), np.stack(masks), np.array(actions, np.int64), state.makespan


def _label_shop(job: tuple[int, int, int, str, int, int, bool]) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Solve one random shop with the solver and replay it; also the replayed / searched makespan ratio."""
    from schedlab.solvers.base import SolveOptions, get_solver

    n, m, shop_seed, solver, iterations, width, lookahead = job
    problem = random_job_shop(n, m, seed=shop_seed)
    result = get_solver(solver).solve(problem, SolveOptions(time_limit=600, seed=shop_seed,
                                                            params={"iterations": iterations}))
    arrays = JobShopArrays.from_problem(problem)
    start_of_task = {s.task: s.start for s in result.schedule}
    target = np.full(arrays.task.shape, 1 << 60, np.int64)
    for (j, o), task in np.ndenumerate(arrays.task):
        if task >= 0:
            target[j, o] = start_of_task[int(task)]
    observations, masks, actions, span = follow_schedule(arrays, target, width, lookahead)
    return observations, masks, actions, span / float(result.objective)


def collect_expert(decisions: int, sizes: tuple[tuple[int, int], ...], solver: str = "tabu", iterations: int = 20_000,
                   seed: int = 0, lookahead: bool = False, workers: int = 2) -> tuple[tuple[np.ndarray, ...], float]:
    """About `decisions` labelled decisions on fresh random shops of `sizes` (padded to the largest), each shop solved
    by `solver` with an `iterations` budget (deterministic) in `workers` processes; (data, mean replayed / searched
    makespan)."""
    shops = RandomJobShops(tuple(sizes))
    rng = np.random.default_rng(seed)

    def rounds(mapper: Callable[..., Iterable]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, float]]:
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, float]] = []
        have = 0
        while have < decisions:
            jobs = []
            for _ in range(8 * max(1, workers)):
                n, m = shops.sizes[int(rng.integers(len(shops.sizes)))]
                jobs.append((n, m, int(rng.integers(2**31)), solver, iterations, shops.max_jobs, lookahead))
            for part in mapper(_label_shop, jobs):
                parts.append(part)
                have += len(part[2])
        return parts

    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            parts = rounds(pool.map)
    else:
        parts = rounds(map)
    data = tuple(np.concatenate([part[k] for part in parts])[:decisions] for k in range(3))
    return data, float(np.mean([part[3] for part in parts]))
