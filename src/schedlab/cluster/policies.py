"""Cluster scheduling policies: each picks the runnable stage that gets the next free core.

`select(view, runnable)` returns one of the runnable stages. FIFO and FAIR follow Spark's
comparators (FIFO: smaller job id, then stage id; FAIR: one pool per user, pools compared by
needy-ness against minShare then running tasks / weight, FIFO inside a pool). `user-fair`
shares fairly between users and between a user's jobs; `shortest` serves the job with the
least estimated remaining work; `drf` is dominant resource fairness over cores and memory;
`uwfq` is user-level weighted fair queuing (see `UWFQ`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from schedlab.sim.domain import Policy, policy_registry
from schedlab.sim.params import param


class ClusterPolicy(Policy):
    """Picks the runnable stage that gets the next free core; may plan at each job's arrival."""

    def on_arrival(self, view, job) -> None:
        """Called once per arriving job; nothing by default."""

    def select(self, view, runnable):
        """One of `runnable` (stages whose parents are done and that have tasks left to launch)."""
        raise NotImplementedError


class FIFO(ClusterPolicy):
    name = "fifo"
    description = "Spark FIFO: smaller job id first, then stage id"

    def select(self, view, runnable):
        return min(runnable, key=lambda s: (s.job.id, s.id))


@dataclass(frozen=True)
class FairOptions:
    min_share: int = param(0, "Spark minShare of every user's pool (cores a pool is guaranteed before weights count)",
                           ge=0, le=1_000_000)
    pools: str = param("user", "one pool per user (an allocation file naming the users) or one pool for every job "
                       "(Spark FAIR without per-user pools)", choices=("user", "single"))
    pool_mode: str = param("fifo", "order inside a pool: FIFO (Spark's default pool mode) or FAIR between its stages "
                           "(fewest running tasks first)", choices=("fifo", "fair"))


class FAIR(ClusterPolicy):
    """Spark FAIR: pools compared by Spark's comparator (needy against minShare first, then running
    tasks / weight, weight 1), and inside the chosen pool FIFO (job, then stage) or FAIR between
    its task sets (stages: fewest running tasks first). `pools="user"` is an allocation file with
    one pool per user; `pools="single"` puts every job in one pool, as Spark does when jobs carry
    no pool property."""

    name = "fair"
    description = "Spark FAIR: pools (per user, or one for all) by minShare then running tasks, FIFO or FAIR inside"
    Options = FairOptions

    def select(self, view, runnable):
        opts = self.options
        if opts.pools == "single":
            pool = runnable
        else:
            pools = defaultdict(list)
            for s in runnable:
                pools[s.job.user].append(s)
            running = view.running_by_user()
            share = opts.min_share

            def key(user):
                r = running.get(user, 0)
                needy = r < share
                return (0 if needy else 1, r / max(share, 1) if needy else float(r), user)

            pool = pools[min(pools, key=key)]
        if opts.pool_mode == "fair":
            return min(pool, key=lambda s: (s.running, s.job.id, s.id))
        return min(pool, key=lambda s: (s.job.id, s.id))


class UserFair(ClusterPolicy):
    name = "user-fair"
    description = "fair between users, then between a user's jobs"

    def select(self, view, runnable):
        running = view.running_by_user()
        by_user = defaultdict(list)
        for s in runnable:
            by_user[s.job.user].append(s)
        user = min(by_user, key=lambda u: (running.get(u, 0), u))
        return min(by_user[user], key=lambda s: (s.job.running, s.job.id, s.id))


class ShortestFirst(ClusterPolicy):
    name = "shortest"
    description = "least estimated remaining work first"
    needs_predictions = True

    def select(self, view, runnable):
        return min(runnable, key=lambda s: (view.estimated_remaining(s.job), s.job.id, s.id))


class DRF(ClusterPolicy):
    """Progressive filling on dominant shares (cores and memory; every task needs 1 core and
    `memory_per_task` of the job's memory class)."""

    name = "drf"
    description = "dominant resource fairness over cores and memory"

    def select(self, view, runnable):
        shares = view.dominant_shares()
        return min(runnable, key=lambda s: (shares.get(s.job.user, 0.0), s.job.id, s.id))


class UWFQ(ClusterPolicy):
    """User-level weighted fair queuing with virtual finish times (a reconstruction from the
    authors' description and scheduler code): a global virtual time V advances at
    cores / (number of users with virtual work left); each user's jobs are ordered by their
    completion order under processor sharing within the user (smaller estimated work first) and
    their virtual deadlines chained from the user's virtual start; stages inherit their job's
    deadline and the smallest deadline runs first (EDF on virtual finish times)."""

    name = "uwfq"
    description = "user-level weighted fair queuing: EDF on per-user virtual finish times"
    needs_predictions = True

    def __init__(self, **options) -> None:
        super().__init__(**options)
        self.v = 0.0
        self.t = 0.0
        self.users: dict[str, dict] = {}

    def _advance(self, now: float, cores: int) -> None:
        while now > self.t:
            active = {u: d for u, d in self.users.items() if d["last"] > self.v + 1e-12}
            if not active:
                self.t = now
                return
            rate = cores / len(active)
            next_leave = min(d["last"] for d in active.values())
            dt_leave = (next_leave - self.v) / rate
            if self.t + dt_leave <= now:
                self.v = next_leave
                self.t += dt_leave
            else:
                self.v += rate * (now - self.t)
                self.t = now

    def on_arrival(self, view, job) -> None:
        self._advance(view.now, view.cores)
        state = self.users.setdefault(job.user, {"start": self.v, "last": self.v, "jobs": []})
        if state["last"] <= self.v + 1e-12:  # user was idle in the virtual system: restart at V
            state["start"], state["jobs"] = self.v, []
        # drop jobs already finished in the virtual system, advancing the user's virtual start
        pending = []
        for j in state["jobs"]:
            if j.virtual_deadline <= self.v + 1e-12:
                state["start"] = max(state["start"], j.virtual_deadline)
            else:
                pending.append(j)
        pending.append(job)
        pending.sort(key=lambda j: (j.estimate, j.id))
        d = max(state["start"], 0.0)
        for j in pending:
            d += j.estimate
            j.virtual_deadline = d
        state["jobs"], state["last"] = pending, d

    def select(self, view, runnable):
        return min(runnable, key=lambda s: (s.job.virtual_deadline, s.job.id, s.id))


CLUSTER_POLICIES = policy_registry("cluster policy", (FIFO, FAIR, UserFair, ShortestFirst, DRF, UWFQ))


def make(name: str) -> ClusterPolicy:
    return CLUSTER_POLICIES.get(name)()
