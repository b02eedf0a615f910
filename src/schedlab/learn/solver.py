"""``learned-jobshop``: the shipped dispatching policy as a solver (Giffler-Thompson, learned choice).

Greedy decoding by default; ``params={"samples": K}`` adds up to K rollouts sampled from the
policy's softmax (seeded, stopped by the time limit) and keeps the best.  ``params={"weights":
PATH}`` loads another trained file; ``params={"directions": "forward"}`` turns off the second
decoding of the time-reversed shop and ``params={"justify": 0}`` the double justification of the
kept episodes (see `best_episode`).  PyTorch is imported on first use only,
so listing solvers stays fast; without the ``learn`` extra the solver says how to install it.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from schedlab.core.errors import SchedlabError
from schedlab.core.model import Problem
from schedlab.core.result import Result, Status
from schedlab.core.schedule import Schedule, ScheduledTask
from schedlab.learn.jobshop import NO_CUTOFF, JobShopArrays
from schedlab.sim.params import as_bool
from schedlab.solvers.base import SOLVERS, SolveOptions, schedule_result
from schedlab.solvers.capabilities import Capabilities, SolverBase

SAMPLE_BATCH = 64  # sampled episodes stepped together (one forward pass per decision for all of them)
SHIPPED = Path(__file__).resolve().parent / "policies" / "jobshop.pt"
SHIPPED_BLOCKING = Path(__file__).resolve().parent / "policies" / "isbjssp.pt"
SHIPPED_LITE = Path(__file__).resolve().parent / "policies" / "jobshop_lite.pt"
SHIPPED_LITE_2 = Path(__file__).resolve().parent / "policies" / "jobshop_lite2.pt"


def file_version(path: str) -> int:
    """What the caches below are keyed on beside the path, so that a policy retrained in place is read again."""
    return Path(path).stat().st_mtime_ns


def load_scorer(path: str) -> tuple[Any, dict[str, Any]]:
    """The scorer network (eval mode, one thread) and the record saved with it (loaded once per file version)."""
    return _load_scorer(path, file_version(path))


@lru_cache(maxsize=4)
def _load_scorer(path: str, _version: int) -> tuple[Any, dict[str, Any]]:
    import torch

    from schedlab.learn.network import JobScorer

    torch.set_num_threads(1)  # one small forward pass per decision: threads cost more than they give
    saved = torch.load(path, map_location="cpu", weights_only=True)
    state = saved["state_dict"]
    if "first.weight" in state:  # the lite network (schedlab.learn.lite)
        from schedlab.learn.lite import lite_module

        scorer = lite_module(int(state["first.weight"].shape[1]) // 3, int(state["first.weight"].shape[0]))
    else:
        scorer = JobScorer(n_features=int(state["embed.0.weight"].shape[1]))
    scorer.load_state_dict(saved["state_dict"])
    scorer.eval()
    return scorer, saved["record"]


def rollouts(problem: Problem | JobShopArrays, scorer: Any, count: int = 1, rng: np.random.Generator | None = None
             ) -> list[tuple[int, np.ndarray]]:
    """`count` dispatching episodes in lockstep, one batched forward pass per decision: greedy when
    `rng` is None, else each choice sampled from the softmax over the legal jobs; (makespan, starts) each."""
    import torch

    from schedlab.learn.jobshop import N_FEATURES, JobShopDispatch

    arrays = problem if isinstance(problem, JobShopArrays) else JobShopArrays.from_problem(problem)
    states = [JobShopDispatch(arrays, lookahead=scorer.n_features > N_FEATURES) for _ in range(count)]
    with torch.inference_mode():
        while not states[0].done:  # every episode takes one decision per operation
            undecided = [s for s in states if s.legal.sum() > 1]
            for state in states:
                if state.legal.sum() == 1:
                    state.step(int(np.flatnonzero(state.legal)[0]))
            if not undecided:
                continue
            rows = torch.from_numpy(np.stack([s.observation() for s in undecided]))
            logits = scorer(rows)[0].numpy().astype(np.float64)
            for state, scores in zip(undecided, logits, strict=True):
                legal = np.flatnonzero(state.legal)
                scores = scores[legal]
                if rng is None:
                    choice = legal[int(np.argmax(scores))]
                else:
                    weights = np.exp(scores - scores.max())
                    choice = legal[int(rng.choice(legal.size, p=weights / weights.sum()))]
                state.step(int(choice))
    return [(s.makespan, s.start) for s in states]


# (shop, count, rng, cutoff) -> (makespan, starts) per episode; greedy when rng is None. An episode that cannot end
# below `cutoff` may stop early and report a makespan of at least `cutoff` (the lite kernel does, `lite._dispatch`).
Episodes = Callable[[JobShopArrays, int, np.random.Generator | None, int], list[tuple[int, np.ndarray]]]
DIRECTIONS = ("both", "forward")
JUSTIFY_DEFAULT = True


def trained_steps(record: dict[str, Any]) -> int:
    """Decisions a policy file was trained on (fine-tuned files record what they did, not what was asked)."""
    return record["steps_done"] if "steps_done" in record else record["config"]["steps"]


def best_episode(solver: str, problem: Problem, options: SolveOptions, started: float, steps: int,
                 networks: Sequence[Episodes]) -> Result:
    """The greedy episode, then batches of sampled ones while ``samples`` and the time limit allow; the best
    schedule as the result. Each of `networks` is an `Episodes` function: `network(arrays, count, rng, cutoff)` is
    greedy (one episode) when rng is None, and is given the best makespan so far as `cutoff`, so that a compiled
    network can stop hopeless episodes. With several (an ensemble), every network decodes every direction: greedy
    is the best of those episodes, and each batch of samples is split evenly between the (network, direction)
    pairs. `steps`: the decisions the networks were trained on, for the result's stats.

    With ``directions="both"`` (the default) every other episode decodes the time-reversed shop and is
    mirrored back: the same policy on a differently shaped instance of the same problem, so the greedy result
    is the better of two episodes and the samples are more varied (Taillard, shipped lite policy: greedy
    14.7% -> 12.6%, best of 64 10.0% -> 9.1%; ``benchmarks/results/learned_jobshop.md``).

    With ``justify`` (the default) the best greedy episode and every sampled one are double-justified with gap
    insertion (`JobShopArrays.double_justified`), which can only shorten them (Taillard, ensemble: greedy 11.25%
    -> 10.22%, best of 64 8.78% -> 7.83%). Sampled episodes then run to the end, since one that cannot beat the
    best so far as it stands may still do so once justified: 64 samples cost about twice as much."""
    directions = options.params.get("directions", "both")
    if directions not in DIRECTIONS:
        raise SchedlabError(f"directions must be one of {', '.join(DIRECTIONS)}, not {directions!r}")
    justify = switch(options.params, "justify", JUSTIFY_DEFAULT)
    forward = JobShopArrays.from_problem(problem)
    shops = [forward] if directions == "forward" else [forward, forward.reversed()]
    looks = [(network, shop) for network in networks for shop in shops]

    best, starts, best_shop = NO_CUTOFF, None, forward
    for network, shop in looks:  # each greedy episode stops once it cannot beat the best before it
        span, sampled = network(shop, 1, None, best)[0]
        if span < best:
            best, starts, best_shop = span, sampled, shop
    if justify:  # the best greedy episode, then every sampled one
        best, starts = best_shop.double_justified(starts)
        looks = [(justifying(network), shop) for network, shop in looks]
    samples = int(options.params.get("samples", 0))
    rng = np.random.default_rng(options.seed)
    done = 0
    while done < samples and time.perf_counter() - started < options.time_limit:
        batch = min(samples - done, SAMPLE_BATCH)
        for k, (network, shop) in enumerate(looks):  # the batch split evenly between the looks
            if k and time.perf_counter() - started >= options.time_limit:
                break  # the time limit is checked per look, so a limited run overshoots it by one look's share
            share = batch // len(looks) + (k < batch % len(looks))
            for span, sampled in network(shop, share, rng, best) if share else ():
                if span < best:
                    best, starts, best_shop = span, sampled, shop
            done += share
    if best_shop is not forward:  # mirror the reversed shop's schedule back, then shift it left
        starts = forward.left_justified(forward.mirrored_starts(starts, best))
    schedule = Schedule(ScheduledTask(t, 0, int(starts[t]), int(starts[t]) + task.modes[0].duration)
                        for t, task in enumerate(problem.tasks))
    return schedule_result(problem, solver, schedule, Status.FEASIBLE, None, time.perf_counter() - started,
                           options.seed, scheme="giffler-thompson", samples=done, justified=justify, directions=directions,
                           networks=len(networks), trained_steps=steps)


def justifying(network: Episodes) -> Episodes:
    """`network` with every episode double-justified (`JobShopArrays.double_justified`). Its episodes are never
    stopped early: one that could not beat the best so far as it stood may still do so once justified."""

    def episodes(shop: JobShopArrays, count: int, rng: np.random.Generator | None, cutoff: int
                 ) -> list[tuple[int, np.ndarray]]:
        return [shop.double_justified(starts) for _, starts in network(shop, count, rng, NO_CUTOFF)]

    return episodes


def switch(params: dict[str, Any], name: str, default: bool) -> bool:
    """An on/off solver parameter: true/false, 1/0, yes/no or on/off (the CLI passes `--param justify=0` as 0)."""
    value = params.get(name, default)
    try:
        return as_bool(str(int(value)) if value in (0, 1) else value.strip() if isinstance(value, str) else value)
    except ValueError:
        raise SchedlabError(f"{name} must be true or false (or 1 or 0), not {value!r}") from None


class LearnedJobShop(SolverBase):
    name = "learned-jobshop"
    capabilities = Capabilities(shapes=frozenset({"job_shop"}), objectives=frozenset({"makespan"})).without(
        "setups", "blocking", "no_wait", "downtime", "release_dates", "deadlines")

    def limits(self, problem: Problem) -> str | None:
        if importlib.util.find_spec("torch") is None:
            return "it needs PyTorch: pip install 'schedlab[learn]' (make run installs it)"
        return None

    def solve(self, problem: Problem, options: SolveOptions) -> Result:
        started = time.perf_counter()
        weights = Path(str(options.params.get("weights", SHIPPED)))
        if not weights.is_file():
            raise SchedlabError(f"{weights}: no such policy file (train one with: schedlab train jobshop --out FILE)")
        scorer, record = load_scorer(str(weights))
        return best_episode(self.name, problem, options, started, trained_steps(record),
                            [lambda shop, count, rng, _cutoff: rollouts(shop, scorer, count, rng)])


SOLVERS.register("learned-jobshop", LearnedJobShop, "learned dispatching policy (MaskablePPO, then self-labelling; "
                 "attention over jobs) in Giffler-Thompson; trained on random 10x10/15x15 shops")


class LearnedJobShopLite(SolverBase):
    """The lite network (pooled context, 16-wide MLP) in a compiled Giffler-Thompson loop: a learned choice at
    about the cost of a rule. Greedy, or with ``params={"samples": K}`` the best of K sampled episodes too, drawn
    from the softmax at ``temperature`` (default 1). ``weights`` may name several files, comma-separated: an
    ensemble, every network decoding every direction (see `best_episode`)."""

    name = "learned-jobshop-lite"
    capabilities = LearnedJobShop.capabilities
    default_weights: tuple[Path, ...] = (SHIPPED_LITE,)

    def limits(self, problem: Problem) -> str | None:
        return LearnedJobShop.limits(self, problem)

    def solve(self, problem: Problem, options: SolveOptions) -> Result:
        from schedlab.learn.lite import lite_rollouts

        started = time.perf_counter()
        given = options.params.get("weights")
        paths = self.default_weights if given is None else tuple(Path(p.strip()) for p in str(given).split(","))
        temperature = _temperature(options.params)
        networks, steps = [], 0
        for weights in paths:
            if not weights.is_file():
                raise SchedlabError(f"{weights}: no such policy file (train one with: schedlab train jobshop "
                                    "--network lite --algorithm self-label --out FILE)")
            exported, trained = lite_weights(str(weights))
            steps += trained
            networks.append(lambda shop, count, rng, cutoff, exported=exported: lite_rollouts(
                shop, exported, count, rng, temperature, cutoff))
        return best_episode(self.name, problem, options, started, steps, networks)


def lite_weights(path: str) -> tuple[tuple[np.ndarray, ...], int]:
    """A lite policy file's weights as the kernel takes them, and its training steps: exported once per file
    version, not per solve (a file retrained in place is read again)."""
    return _lite_weights(path, file_version(path))


@lru_cache(maxsize=8)
def _lite_weights(path: str, _version: int) -> tuple[tuple[np.ndarray, ...], int]:
    from schedlab.learn.lite import export

    scorer, record = load_scorer(path)
    if not hasattr(scorer, "first"):
        raise SchedlabError(f"{path} holds an attention policy: use it with learned-jobshop")
    return export(scorer), trained_steps(record)


def _temperature(params: dict[str, Any]) -> float:
    try:
        temperature = float(params.get("temperature", 1.0))
    except (TypeError, ValueError):
        temperature = -1.0
    if not 0 < temperature < float("inf"):
        raise SchedlabError(f"temperature must be a positive number, not {params['temperature']!r}")
    return temperature


SOLVERS.register("learned-jobshop-lite", LearnedJobShopLite, "learned dispatching policy, lite network (pooled "
                 "context, 16-wide MLP) compiled into the Giffler-Thompson loop; distilled from learned-jobshop")


class LearnedJobShopEnsemble(LearnedJobShopLite):
    """Two lite networks trained apart (different seeds and training shops), each decoding the shop and its
    reverse: greedy is the best of four episodes, about twice the lite greedy's time."""

    name = "learned-jobshop-ensemble"
    default_weights = (SHIPPED_LITE, SHIPPED_LITE_2)


SOLVERS.register("learned-jobshop-ensemble", LearnedJobShopEnsemble, "ensemble of two lite dispatching networks "
                 "(learned-jobshop-lite and a second one trained apart), the best of their episodes")


def blocking_rollout(problem: Problem, scorer: Any, interruptions: Any = None, seed: int = 0) -> Any:
    """One greedy ISBJSSP episode of the scorer on `problem` (optionally with random interruptions); the final state."""
    from schedlab.learn.blocking import BlockingDispatch, Interruptions, blocking_arrays
    from schedlab.learn.decide import ScorerDecider

    decide = ScorerDecider.from_scorer(scorer, "isbjssp")
    state = BlockingDispatch(blocking_arrays(problem), interruptions or Interruptions(), np.random.default_rng(seed))
    while not state.done:
        state.step(decide(state.observation(), state.legal))
    return state


class LearnedBlocking(SolverBase):
    name = "learned-isbjssp"
    capabilities = Capabilities(shapes=frozenset({"job_shop"}), objectives=frozenset({"makespan"})).without(
        "setups", "no_wait", "downtime", "release_dates", "deadlines")

    def limits(self, problem: Problem) -> str | None:
        if importlib.util.find_spec("torch") is None:
            return "it needs PyTorch: pip install 'schedlab[learn]' (make run installs it)"
        if not problem.has_blocking:
            return "it dispatches blocking job shops (use learned-jobshop for job shops with buffers)"
        return None

    def solve(self, problem: Problem, options: SolveOptions) -> Result:
        started = time.perf_counter()
        weights = Path(str(options.params.get("weights", SHIPPED_BLOCKING)))
        if not weights.is_file():
            raise SchedlabError(f"{weights}: no such policy file (train one with: schedlab train isbjssp --out FILE)")
        scorer, record = load_scorer(str(weights))
        state = blocking_rollout(problem, scorer)
        schedule = Schedule(ScheduledTask(t, 0, int(state.start[t]), int(state.start[t]) + task.modes[0].duration)
                            for t, task in enumerate(problem.tasks))
        return schedule_result(problem, self.name, schedule, Status.FEASIBLE, None, time.perf_counter() - started,
                               options.seed, scheme="blocking-dispatch", swaps=state.swaps,
                               trained_steps=record["config"]["steps"])


SOLVERS.register("learned-isbjssp", LearnedBlocking, "learned dispatching for blocking job shops with swaps "
                 "(MaskablePPO, ISBJSSP); trained on random 10x10 shops under random machine interruptions")
