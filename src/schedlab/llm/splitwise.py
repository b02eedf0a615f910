"""Splitwise (ISCA'24): prompt and token machines in separate pools, KV shipped between them.

Each arrival goes to the prompt machine with the fewest pending prompt tokens (join the
shortest queue). When its prefill ends there (that is its first token), a token machine is
chosen the same way on KV load (used plus queued blocks) among those with room to reserve its
KV; the KV is sent layer by layer while the last prefill iteration computes
(`layerwise_transfer_delay`) over the prompt machine's NIC, which queues transfers first come
first served; the request then decodes on the token machine and the prompt machine frees its
copy. Machines move into the mixed pool when queues cross thresholds and back when that work
has drained: if every prompt-taking machine has more than `mixed_prompt_tokens` pending, the
least-loaded token machine joins the mixed pool and takes prompts (prefilling and decoding
them itself) next to the prompt machines; if no token machine has room for a request's KV, its
prompt machine joins the mixed pool and decodes it. A mixed token machine returns to the token
pool when it has no prompt work left, a mixed prompt machine to the prompt pool when it has no
decodes left (checked at every arrival).
"""

from __future__ import annotations

from schedlab.core.errors import SchedlabError
from schedlab.llm.cluster import Cluster, pending_prefill_tokens
from schedlab.llm.interconnect import LINKS, SharedLink, layerwise_transfer_delay
from schedlab.llm.replica import Replica
from schedlab.llm.request import Request


class Splitwise:
    """The cluster-level scheduler of a disaggregated layout (see the module docstring)."""

    def __init__(self, kv_link: str = "infiniband-hdr", mixed_prompt_tokens: int = 16384) -> None:
        self.link = LINKS.get(kv_link)
        self.mixed_prompt_tokens = mixed_prompt_tokens
        self.prompt: list[Replica] = []
        self.token: list[Replica] = []
        self.nics: dict[int, SharedLink] = {}
        self.cluster: Cluster | None = None
        self.mixed: set[int] = set()  # machines currently in the mixed pool

    def attach(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.prompt = [r for r in cluster.all if r.role == "prompt"]
        self.token = [r for r in cluster.all if r.role == "token"]
        if not self.prompt or not self.token:
            raise SchedlabError("a Splitwise layout needs at least one prompt and one token machine")
        for r in self.prompt:
            r.handoff = self._handoff

    def _settle(self) -> None:
        """Machines whose borrowed work has drained go back to their own pool."""
        for r in [r for r in self.prompt + self.token if r.index in self.mixed]:
            drained = not (r.waiting or r.prefilling) if r.role == "token" else not r.num_decodes
            if drained:
                self.mixed.discard(r.index)
                self.cluster.metrics.pool_moves += 1

    def _enter_mixed(self, r: Replica) -> None:
        if r.index not in self.mixed:
            self.mixed.add(r.index)
            self.cluster.metrics.pool_moves += 1

    def __call__(self, replicas: list[Replica], req: Request) -> Replica:
        if self.mixed:
            self._settle()
        takers = self.prompt + [r for r in self.token if r.index in self.mixed]
        pending, _, best = min((pending_prefill_tokens(r), r.index, r) for r in takers)
        if pending > self.mixed_prompt_tokens:
            spare = [r for r in self.token if r.index not in self.mixed]
            if spare:
                best = min(spare, key=lambda r: (r.kv_load(), r.index))
                self._enter_mixed(best)
        if best.role == "token":
            self.cluster.metrics.mixed_prefills += 1
        return best

    def _handoff(self, prompt: Replica, req: Request) -> bool:
        kv_tokens = req.prefill_target
        for token in sorted(self.token, key=lambda r: (r.kv_load(), r.index)):
            reserve = token.kv.blocks_for(kv_tokens) + 2
            if token.kv.can_admit(reserve):
                break
        else:
            self.cluster.metrics.mixed_decodes += 1
            self._enter_mixed(prompt)
            return False
        token.reserve_incoming(reserve)
        model = prompt.cost.model
        nbytes = kv_tokens * model.kv_bytes_per_token
        nic = self.nics.setdefault(prompt.index, SharedLink(self.link))
        sim = self.cluster.sim
        start = max(sim.now, nic.free_at)
        arrive = start + layerwise_transfer_delay(prompt.last_duration, nbytes, model.layers, self.link)
        nic.free_at = arrive - self.link.latency
        nic.bytes_sent += nbytes
        self.cluster.in_transit += 1
        metrics = self.cluster.metrics
        metrics.kv_transfer_bytes += nbytes
        metrics.kv_transfer_time += arrive - sim.now

        def delivered(_: object = None) -> None:
            self.cluster.in_transit -= 1
            prompt.release_handed_off(req)
            token.migrate_in(req, kv_tokens, reserve)

        sim.schedule_at(arrive, delivered)
        return True
