"""An online domain's own simulation posed as a decision process (inversion of control).

The online domains call their policy (``choose``, ``assign``, ``pick_next``...) from inside the
event loop; a learner wants the opposite, to be called with an observation and to return an
action.  `SimulationProcess` runs the domain's simulation unchanged in a worker thread with a
policy whose decision method calls `ask(rows, legal)`: that call hands the decision to the
environment and blocks until `step(action)` answers it.  Only one side runs at a time (two
queues pass the baton), so an episode is as deterministic as the simulation, and the
simulator still checks every action it receives.

The reward is the growth of the domain's running cost between two decisions (`cost()` is read
while the simulation is paused), so the dense rewards of an episode add up to minus its cost.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from schedlab.learn.jobshop import IllegalActionError

Ask = Callable[[np.ndarray, np.ndarray], int]


class _Abandoned(BaseException):
    """Raised inside a paused simulation whose episode was dropped (reset or close mid-episode)."""


_END, _ABANDON = "end", object()


class SimulationProcess:
    """`simulate(ask)` runs one episode, calling `ask(rows, legal)` at every decision.

    `rows` is (actions, features) with feature 0 = 1 for a real action; it is padded to `width`
    rows here.  `cost()` is the episode's cost so far, in the units the rewards are scaled by
    (`scale`).  A decision with a single legal action is taken without asking the learner when
    `skip_forced` (it teaches nothing and costs a round trip).
    """

    def __init__(self, simulate: Callable[[Ask], Any], cost: Callable[[], float], width: int, n_features: int,
                 scale: float = 1.0, skip_forced: bool = True) -> None:
        self.width, self.n_features, self.scale, self.skip_forced = width, n_features, scale, skip_forced
        self._cost = cost
        self._to_env: queue.Queue = queue.Queue(maxsize=1)
        self._to_sim: queue.Queue = queue.Queue(maxsize=1)
        self._rows = np.zeros((width, n_features), np.float32)
        self.legal = np.zeros(width, bool)
        self.decisions = 0
        self.result: Any = None
        self._finished = False
        self._thread = threading.Thread(target=self._run, args=(simulate,), daemon=True)
        self._thread.start()
        self._wait()
        self._cost_seen = self.cost  # what accrued before the first decision is no action's doing

    # -- the simulation's side -------------------------------------------------------------
    def _run(self, simulate: Callable[[Ask], Any]) -> None:
        try:
            self._to_env.put((_END, simulate(self._ask)))
        except _Abandoned:
            return  # the episode was dropped: nobody waits for its end
        except BaseException as error:  # handed to the environment's thread and raised there
            self._to_env.put(("error", error))

    def _ask(self, rows: np.ndarray, legal: np.ndarray) -> int:
        if len(rows) > self.width:
            raise ValueError(f"a decision with {len(rows)} actions; this environment has room for {self.width}")
        if self.skip_forced and int(np.count_nonzero(legal)) == 1:
            return int(np.flatnonzero(legal)[0])
        self._to_env.put(("ask", rows, legal))
        answer = self._to_sim.get()
        if answer is _ABANDON:
            raise _Abandoned
        return answer

    # -- the environment's side ------------------------------------------------------------
    def _wait(self) -> None:
        message = self._to_env.get()
        if message[0] == "error":
            self._finished = True
            raise message[1]
        self._rows[:] = 0.0
        self.legal = np.zeros(self.width, bool)
        if message[0] == _END:
            self._finished, self.result = True, message[1]
            return
        _, rows, legal = message
        self._rows[: len(rows)] = rows
        self.legal[: len(legal)] = legal
        self.decisions += 1

    @property
    def done(self) -> bool:
        return self._finished

    @property
    def cost(self) -> float:
        return float(self._cost())

    def observation(self) -> np.ndarray:
        return self._rows.copy()

    def step(self, action: int) -> float:
        """Answer the pending decision; returns how much the cost grew until the next one (or the end)."""
        if self._finished:
            raise IllegalActionError("the episode is over; reset the environment")
        if not (0 <= action < self.width) or not self.legal[action]:
            raise IllegalActionError(f"action {action} is not legal at this decision "
                                     f"(legal actions: {np.flatnonzero(self.legal).tolist()})")
        self._to_sim.put(int(action))
        self._wait()
        before, self._cost_seen = self._cost_seen, self.cost
        return self._cost_seen - before

    def close(self) -> None:
        """Stop a paused simulation (its thread unwinds and ends)."""
        if not self._finished and self._thread.is_alive():
            self._finished = True
            self._to_sim.put(_ABANDON)
            self._thread.join(timeout=5)
