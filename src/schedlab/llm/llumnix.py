"""Llumnix (OSDI'24): freeness-based dispatch, live migration, priority headroom, auto-scaling.

Load is *freeness*: how many more decode steps an instance's running batch can take before
its KV memory runs out, counting the head-of-line queued request's demand as used (the
virtual usage that makes a blocked queue visible, i.e. de-fragmentation) and, where
high-priority requests run, a headroom kept free for them. Draining instances have
freeness -inf. New requests go to the freest instance. Every `migration_interval_s` the
least free instances (below `migrate_out_freeness`, or draining) each send one running decode
to the freest ones (above `migrate_in_freeness`): the KV is copied in stages while the request
keeps decoding at the source, each stage copying what the previous stage's time generated,
until what is left is at most one KV block (or `max_stages` passed); then the request stops
at an iteration boundary, the last delta is copied (its only downtime) and it resumes at the
destination. Auto-scaling adds an instance (paid from launch, usable after `startup_s`) when
the mean freeness falls below `scale_out_freeness` and drains one when it rises above
`scale_in_freeness`.

Units and thresholds: freeness is in decode steps (tokens per running request); the
thresholds are ours, chosen so an instance whose queue head does not fit is a source, and an
instance with room for a few hundred more steps per request is a destination.
"""

from __future__ import annotations

import math

from schedlab.llm.cluster import DISPATCHERS, Cluster
from schedlab.llm.interconnect import LINKS, SharedLink
from schedlab.llm.replica import Replica
from schedlab.llm.request import Request


class Llumnix:
    """The dispatcher (called per arrival) and, once attached, the migration and scaling loops."""

    migrate_out_freeness = 64.0
    migrate_in_freeness = 512.0
    scale_interval_s = 2.0
    max_stages = 8

    def __init__(self, migration_interval_s: float = 0.5, migration_link: str = "infiniband-hdr",
                 high_priority_headroom: float = 0.2, autoscale_max: int = 0, startup_s: float = 30.0,
                 scale_out_freeness: float = 512.0, scale_in_freeness: float = 4096.0, autoscale_min: int = 1) -> None:
        self.autoscale_min = autoscale_min
        self.scale_out_freeness = scale_out_freeness
        self.scale_in_freeness = scale_in_freeness
        self.interval = migration_interval_s
        self.link = LINKS.get(migration_link)
        self.headroom = high_priority_headroom
        self.autoscale_max = autoscale_max
        self.startup_s = startup_s
        self.cluster: Cluster | None = None
        self.nics: dict[int, SharedLink] = {}
        self.migrating: set[int] = set()  # replicas with a migration in progress (as source or destination)
        self.incoming: dict[int, int] = {}
        self.min_replicas = 0

    # -- load ------------------------------------------------------------------------------------
    def freeness(self, r: Replica, whole_queue: bool = False) -> float:
        """Decode steps left per request; the queue counts by its head (migration: de-fragmentation)
        or in full (dispatch: arrivals in one iteration must not all pick the same instance)."""
        if r.draining:
            return -math.inf
        kv = r.kv
        free = kv.free
        queued = 0
        if r.waiting:
            if whole_queue:
                free -= r.queued_blocks
                queued = len(r.waiting)
            else:
                free -= r.admission_blocks(r.waiting[0])
                queued = 1
        if r.high_outstanding:
            free -= int(kv.total * self.headroom)
        if free < 0:  # a deficit: dividing it by the request count would make longer queues look freer
            return free * kv.block_size
        return free * kv.block_size / max(r.num_decodes + len(r.prefilling) + queued, 1)

    def __call__(self, replicas: list[Replica], req: Request) -> Replica:
        best, best_f = replicas[0], -math.inf
        for r in replicas:
            f = self.freeness(r, whole_queue=True)
            if f > best_f:
                best, best_f = r, f
        return best

    # -- controller --------------------------------------------------------------------------------
    def attach(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.min_replicas = min(self.autoscale_min, len(cluster.all))
        if self.interval > 0:
            cluster.sim.schedule(self.interval, self._migration_round)
        if self.autoscale_max:
            cluster.sim.schedule(self.scale_interval_s, self._scale_round)

    def _migration_round(self, _: object = None) -> None:
        cluster = self.cluster
        candidates = [r for r in cluster.live if not r.draining] + [r for r in cluster.all if r.draining and
                                                                    math.isnan(r.stopped_at)]
        scored = sorted(((self.freeness(r), r.index, r) for r in candidates), key=lambda t: (t[0], t[1]))
        sources = [(f, r) for f, _, r in scored if f < self.migrate_out_freeness and r.index not in self.migrating
                   and r.num_decodes]
        dests = [(f, r) for f, _, r in reversed(scored) if f > self.migrate_in_freeness and r.index not in self.migrating]
        for (fs, src), (fd, dst) in zip(sources, dests, strict=False):
            if src is dst or fs >= fd or src.index in self.migrating or dst.index in self.migrating:
                continue
            self._start_migration(src, dst)
        if cluster.has_work():
            cluster.sim.schedule(self.interval, self._migration_round)

    def _pick_request(self, src: Replica) -> Request | None:
        """Normal-priority requests first, then the one with the least KV to move."""
        best, best_key = None, None
        for req in src.running_decodes():
            if req.reserved:
                continue
            key = (req.priority, src.kv_tokens(req), req.id)
            if best_key is None or key < best_key:
                best, best_key = req, key
        return best

    def _start_migration(self, src: Replica, dst: Replica) -> None:
        req = self._pick_request(src)
        if req is None:
            return
        kv_bytes = src.cost.model.kv_bytes_per_token
        reserve = dst.kv.blocks_for(src.kv_tokens(req)) + 2
        if not dst.kv.can_admit(reserve):
            return
        dst.reserve_incoming(reserve)
        self.migrating.update((src.index, dst.index))
        self.incoming[dst.index] = self.incoming.get(dst.index, 0) + 1
        nic = self.nics.setdefault(src.index, SharedLink(self.link))
        sim = self.cluster.sim
        state = {"copied": 0, "stages": 0}

        def finish(ok: bool) -> None:
            self.migrating.discard(src.index)
            self.migrating.discard(dst.index)
            self.incoming[dst.index] -= 1
            if not ok:
                dst.cancel_incoming(reserve)

        def stage(_: object = None) -> None:
            if not (req.active and req.replica == src.index):
                finish(False)
                return
            now_len = src.kv_tokens(req)
            delta = now_len - state["copied"]
            if state["stages"] and (delta <= src.kv.block_size or state["stages"] >= self.max_stages):
                src.migrate_out(req, stop)
                return
            state["copied"] = now_len
            state["stages"] += 1
            sim.schedule_at(nic.send(sim.now, delta * kv_bytes), stage)

        def stop(moved: Request | None, kv_len: int) -> None:
            if moved is None:
                finish(False)
                return
            self.cluster.in_transit += 1
            arrive_at = nic.send(sim.now, (kv_len - state["copied"]) * kv_bytes)
            metrics = self.cluster.metrics
            metrics.migrations += 1
            metrics.migration_downtime += arrive_at - sim.now
            metrics.migrated_tokens += kv_len
            moved.extra["migrated"] = moved.extra.get("migrated", 0) + 1
            sim.schedule_at(arrive_at, resume, (moved, kv_len))

        def resume(arrived: tuple[Request, int]) -> None:
            moved, kv_len = arrived
            self.cluster.in_transit -= 1
            finish(True)
            dst.migrate_in(moved, kv_len, reserve)

        stage()

    def _scale_round(self, _: object = None) -> None:
        cluster = self.cluster
        live = [r for r in cluster.live if not r.draining]
        for r in [r for r in cluster.all if r.draining and math.isnan(r.stopped_at)]:
            if not r.outstanding and not self.incoming.get(r.index) and r.index not in self.migrating:
                cluster.retire(r)
        for r in [r for r in cluster.all if r.draining and math.isnan(r.stopped_at)]:
            for req in r.withdraw_waiting():
                self(live, req).submit(req)
        if live:
            mean = sum(max(self.freeness(r), -1e6) for r in live) / len(live)
            active = len(live) + cluster.starting
            if mean < self.scale_out_freeness and active < self.autoscale_max:
                cluster.spawn(self.startup_s)
            elif mean > self.scale_in_freeness and len(live) > self.min_replicas and not cluster.starting:
                victim = min(live, key=lambda r: (r.outstanding, -r.index))
                victim.draining = True
                cluster.live.remove(victim)
                for req in victim.withdraw_waiting():
                    self([r for r in live if r is not victim], req).submit(req)
        if cluster.has_work():
            cluster.sim.schedule(self.scale_interval_s, self._scale_round)


DISPATCHERS.register("llumnix", Llumnix, "freest instance (KV freeness), live migration, priority headroom, auto-scaling")
