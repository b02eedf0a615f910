"""One serving replica: a model on `tp` GPUs running iterations chosen by a policy.

Mechanism only: the replica owns the queues, the KV-block pool and the clock, asks its policy
for a `Batch` each iteration, checks it, prices it with the cost model and applies it when the
iteration ends. Decoding requests are not touched one by one per token: every running decode
advances one token per decode step, so a request that joins at step k with r tokens left
finishes at step k + r. A heap of finish steps, the sum of KV lengths and a histogram of KV
lengths modulo the block size give each step's attention work and new KV blocks in O(1).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from heapq import heappop, heappush
from typing import TYPE_CHECKING

from schedlab.llm.adapters import AdapterCache
from schedlab.llm.batch import Batch
from schedlab.llm.costmodel import CostModel, Iteration, prefill_chunk_work
from schedlab.llm.kv import BlockPool
from schedlab.llm.metrics import ServingMetrics
from schedlab.llm.prefix import CachingBlockPool, KVTier, PrefixCache
from schedlab.llm.request import Request
from schedlab.sim.engine import Simulator
from schedlab.sim.policy import IllegalDecisionError

if TYPE_CHECKING:
    from schedlab.sim.trace import ChromeTrace


@dataclass(frozen=True)
class ReplicaConfig:
    block_size: int = 16
    max_num_seqs: int = 256
    max_batch_tokens: int = 16384
    max_output_tokens: int = 2048  # KV reserved per request by policies that reserve the maximum
    memory_utilization: float = 0.9
    preemption: str = "recompute"  # or "swap"
    swap_bandwidth: float = 25e9  # host link bytes/s for swap preemption
    num_blocks: int | None = None  # override the KV pool size computed from GPU memory
    prefix_caching: bool = False  # keep prompt KV blocks named by the trace's hashes for reuse
    prefix_block_tokens: int = 512  # tokens per hash block (Mooncake traces: 512)
    kv_tiers: tuple[KVTier, ...] = ()  # host/SSD tiers below the GPU prefix cache
    adapter_slots: int = 0  # GPU slots for parameter adapters (LoRA); 0: requests use the base model
    adapter_bytes: float = 0.0  # size of one adapter (its slots come out of the KV cache)
    memory_manager: str = "lru"  # which adapters stay resident and which are fetched ahead (MEMORY_MANAGERS)


class Replica:
    """The state a policy reads (`waiting`, `prefilling`, `num_decodes`, `kv`, `now`, `config`)."""

    def __init__(
        self,
        index: int,
        sim: Simulator,
        cost: CostModel,
        policy,
        metrics: ServingMetrics,
        config: ReplicaConfig | None = None,
        trace: ChromeTrace | None = None,
    ) -> None:
        self.index = index
        self.sim = sim
        self.cost = cost
        self.policy = policy
        self.metrics = metrics
        self.config = config or ReplicaConfig()
        self.trace = trace
        # A pipeline-parallel replica is `cost.pp` virtual engines, each with its share of the stages' KV cache.
        blocks = self.config.num_blocks or (cost.kv_capacity_tokens(self.config.memory_utilization) // cost.pp
                                            // self.config.block_size)
        self.adapters: AdapterCache | None = None
        if self.config.adapter_slots:
            block_bytes = cost.model.kv_bytes_per_token * self.config.block_size
            blocks -= int(self.config.adapter_slots * self.config.adapter_bytes // block_bytes)
            self.adapters = AdapterCache(self.config.adapter_slots, 10e-6 + self.config.adapter_bytes / 25e9,
                                         self.config.memory_manager)
        self.cache: PrefixCache | None = None
        if self.config.prefix_caching:
            self.kv = CachingBlockPool(blocks, self.config.block_size)
            self.cache = PrefixCache(self.kv, self.config.prefix_block_tokens, self.config.kv_tiers)
        else:
            self.kv = BlockPool(blocks, self.config.block_size)
        self.waiting: deque[Request] = deque()
        self.prefilling: list[Request] = []
        self.num_decodes = 0
        self.step = 0  # decode steps taken so far
        self._decode_stack: list[Request] = []  # admission order, lazily pruned
        self._finish_heap: list[tuple[int, int, Request]] = []
        self._kv_offset_sum = 0  # sum of (kv_base - join_step) over non-reserved running decodes
        self._kv_offset_sum_all = 0  # same over every running decode (for attention work)
        self._residues = [0] * self.config.block_size
        self._joiners: list[Request] = []
        self._last_decode_end = 0.0
        self.busy = False
        self.outstanding = 0  # requests dispatched here and not finished or rejected
        self._pending_swap_in = 0.0
        self._adapter_wait = 0.0
        self._moe = cost.model.is_moe
        self._boundary: list = []  # migrations out/in, applied between iterations
        self.queued_blocks = 0  # KV blocks the waiting requests' prompts need, kept as they come and go
        self.high_outstanding = 0  # high-priority requests here (Llumnix keeps headroom for them)
        self.role = "mixed"  # or "prompt" / "token" in a Splitwise layout
        self.handoff = None  # (replica, request) -> bool: hand a prefilled request to a decode machine
        self.on_done = None  # (request, rejected) -> None: multi-turn programs send their next turn
        self._holds: dict[int, list[int]] = {}  # program -> cache entries kept pinned across its tool call
        self._awaiting = 0  # KV reserved for incoming requests or held for outgoing ones: frees without an iteration
        self.last_duration = 0.0  # of the iteration that ended last (how long its KV had to stream out)
        self.draining = False  # takes no new requests; its requests migrate away (Llumnix scale-in)
        self.pipeline = None  # the stages this virtual engine shares with its siblings (pipeline parallelism)
        self.started_at = sim.now
        self.stopped_at = math.nan
        if trace is not None:
            trace.name_track(index, f"replica {index}")

    # -- views for policies and dispatchers ---------------------------------------------------
    @property
    def now(self) -> float:
        return self.sim.now

    def kv_load(self) -> float:
        """Used plus queued KV blocks (prefix-cache hits not deducted) as a fraction of the pool."""
        return (self.kv.used + self.queued_blocks) / self.kv.total

    def _queued(self, req: Request) -> None:
        req.queue_blocks = self.kv.blocks_for(req.prefill_target)
        self.queued_blocks += req.queue_blocks

    def decode_context(self) -> int:
        """Sum of KV lengths of the running decodes."""
        return self._kv_offset_sum_all + self.num_decodes * self.step

    def admission_blocks(self, req: Request, reserve_max: bool = False) -> int:
        """KV blocks admitting `req` would take now (prefix-cache entries others pin are free to share)."""
        if reserve_max:
            left = max(self.config.max_output_tokens, req.output_tokens - req.generated)
            blocks = self.kv.blocks_for(req.prefill_target + left)
        else:
            blocks = self.kv.blocks_for(req.prefill_target)
        if self.cache is not None and req.prefix_hashes:
            cache = self.cache
            _, pinned = cache.match(req.prefix_hashes, cache.usable(req.prefix_hashes, self._reusable_tokens(req)))
            blocks -= pinned * cache.unit
        return blocks

    def prefix_hit_tokens(self, req: Request) -> tuple[int, int]:
        """(prompt tokens resident in this replica's GPU prefix cache, tokens more in lower tiers)."""
        cache = self.cache
        if cache is None or not req.prefix_hashes:
            return 0, 0
        limit = cache.usable(req.prefix_hashes, self._reusable_tokens(req))
        k, _ = cache.match(req.prefix_hashes, limit)
        lower = len(cache.match_lower(req.prefix_hashes, k, limit)) if cache.lower is not None else 0
        return k * cache.tokens, lower * cache.tokens

    @staticmethod
    def _reusable_tokens(req: Request) -> int:
        return min(req.prompt_tokens, req.prefill_target or req.prompt_tokens)

    def kv_tokens(self, req: Request) -> int:
        """Current KV length of a running decode on this replica."""
        return req.kv_base + self.step - req.join_step

    def running_decodes(self) -> list[Request]:
        i = self.index
        seen: set[int] = set()  # a request that left and came back (swap, suspension) is on the stack twice
        return [r for r in self._decode_stack if r.active and r.replica == i and not (r.id in seen or seen.add(r.id))]

    # -- arrivals ------------------------------------------------------------------------------
    def fits_ever(self, req: Request) -> bool:
        return self.kv.blocks_for(req.prompt_tokens + req.output_tokens) <= self.kv.total - self.kv.watermark

    def submit(self, req: Request) -> None:
        """Queue an arrived request, or reject it when it can never fit in this replica's KV."""
        req.replica = self.index
        req.prefill_target = req.prompt_tokens + req.generated  # generated > 0: re-dispatched after a preemption
        req.prefilled = 0
        req.layer_progress = 0.0
        reason = None
        if not self.fits_ever(req):
            reason = "needs more KV blocks than the replica has"
        elif self.policy.whole_prompts and req.prompt_tokens + req.output_tokens > self.config.max_batch_tokens:
            reason = f"prompt plus output exceeds max_batch_tokens={self.config.max_batch_tokens} for a policy without chunking"
        if reason is not None:
            req.extra["reject_reason"] = reason
            self.metrics.on_reject(req)
            if self.on_done is not None:
                self.on_done(req, True)
            return
        self.outstanding += 1
        self.high_outstanding += req.priority > 0
        req.queued = True
        self._peek_prefix(req)
        if req.priority > 0 and self.waiting and self.waiting[-1].priority < req.priority:
            at = next(i for i, w in enumerate(self.waiting) if w.priority < req.priority and not w.admitted)
            self.waiting.insert(at, req)  # ahead of lower-priority requests that never ran
        else:
            self.waiting.append(req)
        self._queued(req)
        if not self.busy:
            self._start_iteration()

    # -- decode bookkeeping --------------------------------------------------------------------
    def _join_decode(self, req: Request) -> None:
        remaining = req.output_tokens - req.generated
        if remaining <= 0:  # one output token: done at the end of its prefill
            self._release(req, req.prefill_target, finished=True)
            self._finish(req)
            return
        req.join_step = self.step
        req.kv_base = req.prefill_target
        req.finish_step = self.step + remaining
        req.active = True
        offset = req.kv_base - self.step
        self._kv_offset_sum_all += offset
        if not req.reserved:
            self._kv_offset_sum += offset
            self._residues[offset % self.kv.block_size] += 1
        self.num_decodes += 1
        self._decode_stack.append(req)
        heappush(self._finish_heap, (req.finish_step, req.id, req))
        self._joiners.append(req)

    def _leave_decode(self, req: Request) -> int:
        """Take a running decode out; returns its current KV length."""
        req.active = False
        offset = req.kv_base - req.join_step
        self._kv_offset_sum_all -= offset
        if not req.reserved:
            self._kv_offset_sum -= offset
            self._residues[offset % self.kv.block_size] -= 1
        self.num_decodes -= 1
        req.generated += self.step - req.join_step
        return req.kv_base + self.step - req.join_step

    def _acquire_adapter(self, req: Request) -> None:
        """A request going onto the GPU needs its adapter there: a load not done yet stalls it."""
        if self.adapters is not None and "adapter" in req.extra and not req.extra.get("adapter_pinned"):
            wait = self.adapters.acquire(req.extra["adapter"], self.sim.now)
            self._adapter_wait = max(self._adapter_wait, wait)  # loads overlap: the batch waits for the last
            req.extra["adapter_pinned"] = True

    def _release(self, req: Request, kv_len: int, finished: bool = False) -> None:
        if req.extra.pop("adapter_pinned", False):
            self.adapters.release(req.extra["adapter"])
        if finished and self.cache is not None and req.prefix_hashes:
            self._cache_blocks(req, kv_len)  # the output's KV too: a next turn's prompt starts with it
        blocks = req.blocks if req.reserved else self.kv.blocks_for(kv_len) - req.shared_blocks
        self.kv.release(blocks)
        req.blocks = 0
        if req.shared_blocks:
            pinned = req.extra.pop("pinned")
            ttl = self.policy.retain_after_finish(self, req) if finished else 0.0
            if ttl > 0:
                self._hold(req.extra["program"], pinned, ttl)
            else:
                for h in pinned:
                    self.cache.unpin(h)
            req.shared_blocks = 0

    def _hold(self, program: int, pinned: list[int], ttl: float) -> None:
        """Keep a program's context pinned across its tool call for `ttl` seconds (Continuum)."""
        self._drop_hold(program)
        self._holds[program] = pinned
        self.metrics.kv_holds += 1

        def expire(held: list[int]) -> None:
            if self._holds.get(program) is held:
                self._drop_hold(program)
                self.metrics.kv_hold_expired += 1
                if not self.busy:
                    self._start_iteration()

        self.sim.schedule(ttl, expire, pinned)

    def _drop_hold(self, program: int) -> None:
        for h in self._holds.pop(program, ()):
            self.cache.unpin(h)

    # -- prefix cache ----------------------------------------------------------------------------
    def _peek_prefix(self, req: Request) -> None:
        """A queued request's prefill starts after its cached prefix (as far as it is known now)."""
        if self.cache is not None and req.prefix_hashes and not req.swapped:
            gpu, lower = self.prefix_hit_tokens(req)
            req.prefilled = gpu + lower

    def _claim_prefix(self, req: Request, reserve_max: bool) -> int:
        """Pin the cached prefix, load what lower tiers hold, allocate the rest; returns blocks taken."""
        cache = self.cache
        hashes = req.prefix_hashes
        limit = cache.usable(hashes, self._reusable_tokens(req))
        k, pinned = cache.match(hashes, limit)
        lower = cache.match_lower(hashes, k, limit) if cache.lower is not None else []
        full = self.admission_blocks(req, reserve_max) + pinned * cache.unit
        need = full - pinned * cache.unit
        if not self.kv.can_admit(need):
            raise IllegalDecisionError(f"request {req.id} needs {need} KV blocks; {self.kv.free} free")
        own = list(hashes[:k])
        for h in own:
            cache.pin(h)
        for tier, h in lower:
            tier.take(h)
        private = full - k * cache.unit
        self.kv.allocate(private)
        kv_bytes = self.cost.model.kv_bytes_per_token
        for tier, h in lower:
            cache.adopt(h)
            own.append(h)
            self._pending_swap_in += cache.tokens * kv_bytes / tier.tier.bandwidth
            self.metrics.kv_loaded_bytes += cache.tokens * kv_bytes
        req.extra["pinned"] = own
        req.extra.pop("cached_upto", None)
        if self._holds and req.extra.get("program") in self._holds:
            self._drop_hold(req.extra["program"])  # the next turn pins its context itself now
        req.shared_blocks = len(own) * cache.unit
        req.cached_tokens = len(own) * cache.tokens
        req.prefilled = req.cached_tokens
        return private - len(lower) * cache.unit

    def _cache_prompt(self, req: Request) -> None:
        """After its prefill, a request's full prompt blocks become cache entries it pins."""
        self._cache_blocks(req, req.prompt_tokens)

    def _cache_blocks(self, req: Request, tokens: int) -> None:
        """The request's full blocks up to `tokens` become cache entries it pins (from where it left off)."""
        cache = self.cache
        hashes = req.prefix_hashes
        full = min(len(hashes), tokens // cache.tokens)
        own = req.extra.setdefault("pinned", [])
        start = req.extra.get("cached_upto", req.cached_tokens // cache.tokens)
        req.extra["cached_upto"] = max(start, full)
        for j in range(start, full):
            if cache.adopt(hashes[j]):
                own.append(hashes[j])
                req.shared_blocks += cache.unit
                if req.reserved:
                    req.blocks -= cache.unit

    def _finish(self, req: Request) -> None:
        req.finish = self.sim.now
        self.outstanding -= 1
        self.high_outstanding -= req.priority > 0
        self.metrics.on_finish(req)
        if self.on_done is not None:
            self.on_done(req, False)

    def _new_blocks_next_step(self) -> int:
        return self._residues[(-self.step) % self.kv.block_size]

    def last_admitted_decode(self) -> Request:
        """The running decode admitted last (the default preemption victim)."""
        stack = self._decode_stack
        while not (stack[-1].active and stack[-1].replica == self.index):
            stack.pop()
        return stack[-1]

    def _preempt(self, req: Request, suspend: bool = False) -> None:
        """Take a running decode off the GPU: on memory pressure (to the queue's head, by the
        configured mode) or, `suspend`, a time-slice end (KV saved to host, to the queue's tail)."""
        kv_len = self._leave_decode(req)
        self._release(req, kv_len)
        if suspend:
            self.metrics.suspensions += 1
        else:
            req.preemptions += 1
            self.metrics.preemptions += 1
        req.admitted = False
        req.queued = True
        if req.join_step < self.step:
            req.last_token = self._last_decode_end
        if suspend or self.config.preemption == "swap":
            req.swapped = True
            req.extra["swap_tokens"] = kv_len
            self._pending_swap_in += kv_len * self.cost.model.kv_bytes_per_token / self.config.swap_bandwidth
        else:
            req.prefill_target = req.prompt_tokens + req.generated
            req.prefilled = 0
            req.layer_progress = 0.0
            self._peek_prefix(req)
        if suspend:
            self.waiting.append(req)
        else:
            self.waiting.appendleft(req)
        self._queued(req)

    def _make_room_for_decodes(self) -> None:
        while self.num_decodes and self._new_blocks_next_step() > self.kv.free:
            self._preempt(self.policy.choose_victim(self))

    def _resume_swapped(self) -> None:
        while self.waiting and self.waiting[0].swapped:
            req = self.waiting[0]
            tokens = req.extra["swap_tokens"]
            blocks = self.kv.blocks_for(tokens)
            growth = self._new_blocks_next_step() + 1
            if not self.kv.can_admit(blocks + growth) or self.num_decodes >= self.config.max_num_seqs:
                return
            if self.policy.max_running is not None and self.num_decodes + len(self.prefilling) >= self.policy.max_running:
                return
            self.waiting.popleft()
            self.queued_blocks -= req.queue_blocks
            req.queued = False
            self.kv.allocate(blocks)
            req.blocks = blocks
            req.swapped = False
            req.admitted = True
            self._pending_swap_in += tokens * self.cost.model.kv_bytes_per_token / self.config.swap_bandwidth
            req.prefill_target = tokens
            self._acquire_adapter(req)
            self._join_decode(req)  # stays among the joiners: its stall shows in its next TBT sample

    # -- iterations ----------------------------------------------------------------------------
    def _admit(self, req: Request, reserve_max: bool) -> None:
        if req.admitted:
            return
        if req.swapped:
            raise IllegalDecisionError(f"request {req.id} is swapped out; the replica resumes it itself")
        if self.num_decodes + len(self.prefilling) >= self.config.max_num_seqs:
            raise IllegalDecisionError(f"admitting request {req.id} exceeds max_num_seqs={self.config.max_num_seqs}")
        if self.cache is not None and req.prefix_hashes:
            blocks = self._claim_prefix(req, reserve_max)
        else:
            blocks = self.admission_blocks(req, reserve_max)
            if not self.kv.can_admit(blocks):
                raise IllegalDecisionError(f"request {req.id} needs {blocks} KV blocks; {self.kv.free} free")
            self.kv.allocate(blocks)
        req.blocks = blocks
        req.reserved = reserve_max
        req.admitted = True
        self._acquire_adapter(req)
        if math.isnan(req.first_scheduled):
            req.first_scheduled = self.sim.now
            self.metrics.on_admit(req)
        if self.waiting[0] is req:
            self.waiting.popleft()
        else:
            self.waiting.remove(req)
        self.queued_blocks -= req.queue_blocks
        req.queued = False
        self.prefilling.append(req)

    def _check_and_price(self, batch: Batch) -> tuple[tuple[int, int, float], float]:
        tokens = 0
        work = 0.0
        sequences = 0
        seen: set[int] = set()
        for req, chunk in batch.prefills:
            if req.id in seen:
                raise IllegalDecisionError(f"request {req.id} appears twice in one batch")
            seen.add(req.id)
            if not req.admitted and not (req.queued and req.replica == self.index):
                raise IllegalDecisionError(f"request {req.id} is neither waiting nor prefilling on replica {self.index}")
            remaining = req.prefill_target - req.prefilled
            if batch.layer_fraction < 1.0:
                if chunk != remaining:
                    raise IllegalDecisionError("layered prefill must run a request's whole remaining prompt")
            elif not 0 < chunk <= remaining:
                raise IllegalDecisionError(f"chunk of {chunk} tokens for request {req.id} with {remaining} left to prefill")
            tokens += chunk
            work += prefill_chunk_work(req.prefilled, chunk)
            if batch.layer_fraction < 1.0:
                sequences += req.layer_progress + batch.layer_fraction >= 1.0 - 1e-9
            else:
                sequences += chunk == remaining
        decodes = self.num_decodes if batch.decodes else 0
        if tokens + decodes > self.config.max_batch_tokens:
            raise IllegalDecisionError(
                f"batch of {tokens + decodes} tokens exceeds max_batch_tokens={self.config.max_batch_tokens}"
            )
        context = self.decode_context() + decodes if decodes else 0
        if batch.pad_decodes_to > decodes and decodes:
            context = context * batch.pad_decodes_to // decodes
            decodes = batch.pad_decodes_to
        duration = self.cost.time_of(decodes, context, tokens, work, sequences, batch.layer_fraction)
        return (decodes, tokens, batch.layer_fraction), duration

    def release_handed_off(self, req: Request) -> None:
        """Free the KV of a request whose prefill ran here, once it has been sent away."""
        self._release(req, req.prefill_target)
        self._awaiting -= 1
        if not self.busy:
            self._start_iteration()

    def reserve_incoming(self, blocks: int) -> None:
        """Hold KV blocks for a request that will arrive by migration or hand-over (`migrate_in`)."""
        self.kv.allocate(blocks)
        self._awaiting += 1

    def cancel_incoming(self, blocks: int) -> None:
        self.kv.release(blocks)
        self._awaiting -= 1
        if not self.busy:
            self._start_iteration()

    def withdraw_waiting(self) -> list[Request]:
        """Hand back the queued requests that hold no KV here (a draining replica re-dispatches them)."""
        keep, out = deque(), []
        for r in self.waiting:
            (keep if r.swapped else out).append(r)
        self.waiting = keep
        for r in out:
            r.queued = False
            self.queued_blocks -= r.queue_blocks
            self.outstanding -= 1
            self.high_outstanding -= r.priority > 0
        return out

    # -- migration (Llumnix): requests leave and join between iterations ------------------------
    def migrate_out(self, req: Request, done) -> None:
        """Stop decoding `req` at the next iteration boundary and free its KV; then call
        `done(req, kv_tokens)`, or `done(None, 0)` if it finished or was preempted meanwhile."""
        self._boundary.append(("out", req, done))
        if not self.busy:
            self._start_iteration()

    def migrate_in(self, req: Request, kv_tokens: int, reserved_blocks: int) -> None:
        """Resume a migrated decode whose `kv_tokens` of KV arrived, in place of `reserved_blocks`."""
        self._boundary.append(("in", req, (kv_tokens, reserved_blocks)))
        if not self.busy:
            self._start_iteration()

    def _apply_boundary(self) -> None:
        moves, self._boundary = self._boundary, []
        for kind, req, arg in moves:
            if kind == "out":
                if not (req.active and req.replica == self.index) or req.reserved:
                    arg(None, 0)
                    continue
                kv_len = self._leave_decode(req)
                self._release(req, kv_len)
                if req.join_step < self.step:
                    req.last_token = self._last_decode_end
                self.outstanding -= 1
                self.high_outstanding -= req.priority > 0
                arg(req, kv_len)
            else:
                kv_tokens, reserved = arg
                self.kv.release(reserved)
                self._awaiting -= 1
                req.replica = self.index
                self.outstanding += 1
                self.high_outstanding += req.priority > 0
                blocks = self.kv.blocks_for(kv_tokens)
                if self.kv.can_admit(blocks + self._new_blocks_next_step() + 1):
                    self.kv.allocate(blocks)
                    req.blocks = blocks
                    req.admitted = True
                    req.queued = False
                    req.prefill_target = kv_tokens
                    self._acquire_adapter(req)
                    self._join_decode(req)
                else:  # the destination filled up meanwhile: the request recomputes here instead
                    req.admitted = False
                    req.queued = True
                    req.prefill_target = req.prompt_tokens + req.generated
                    req.prefilled = 0
                    self.metrics.preemptions += 1
                    req.preemptions += 1
                    self.waiting.appendleft(req)
                    self._queued(req)

    def _decide(self) -> Batch:
        """The policy's batch, after applying the suspensions it asks for (then it decides again)."""
        batch = self.policy.decide(self)
        rounds = 0
        while batch.suspend:
            rounds += 1
            if rounds > 3:
                raise IllegalDecisionError(f"policy {self.policy.name} keeps suspending requests in one iteration")
            for req in batch.suspend:
                if not (req.active and req.replica == self.index) or req.reserved:
                    raise IllegalDecisionError(f"request {req.id} is not a running decode on replica {self.index}")
                self._preempt(req, suspend=True)
            if self.waiting and self.waiting[0].swapped:
                self._resume_swapped()
            batch = self.policy.decide(self)  # once more, with the room the suspensions made
        return batch

    def _start_iteration(self) -> None:
        if self.busy:
            return
        if self._boundary:
            self._apply_boundary()
        if self.waiting and self.waiting[0].swapped:
            self._resume_swapped()
        self._make_room_for_decodes()
        if self.adapters is not None:
            self.adapters.now_hint = self.sim.now
        if self.adapters is not None and self.waiting:
            self.adapters.prefetch((r.extra["adapter"] for r in self.waiting if "adapter" in r.extra), self.sim.now)
        batch = self._decide()
        if not batch.prefills and not (batch.decodes and self.num_decodes):
            if (self.num_decodes or self.prefilling or self.waiting) and not (self._awaiting or self._holds):
                raise IllegalDecisionError(f"policy {self.policy.name} left replica {self.index} idle with work in progress")
            return
        for i, (req, chunk) in enumerate(batch.prefills):
            self._admit(req, batch.reserve_max)
            remaining = req.prefill_target - req.prefilled
            whole = batch.layer_fraction < 1.0 or self.policy.whole_prompts
            if self.cache is not None and (chunk > remaining or (whole and chunk != remaining)):
                batch.prefills[i] = (req, remaining)  # the cached prefix turned out longer or shorter than peeked
        it, duration = self._check_and_price(batch)
        if self.pipeline is not None:  # through the shared stages, behind the siblings' micro-batches
            duration = self.pipeline.pass_through(self.sim.now, duration, it[0] + it[1]) - self.sim.now
        duration += self._pending_swap_in + self._adapter_wait
        self._adapter_wait = 0.0
        self._pending_swap_in = 0.0
        if batch.decodes and self.num_decodes:
            new_blocks = self._new_blocks_next_step()
            self.kv.allocate(new_blocks)
        self.busy = True
        m = self.metrics
        m.iterations += 1
        m.busy_time += duration
        decodes, tokens, fraction = it
        if self._moe:
            m.expert_bytes += self.cost.expert_bytes_loaded(Iteration(decodes, 0, tokens, 0.0, 0, fraction))
        m.batch_size.add(self.sim.now, decodes + len(batch.prefills))
        if self.trace is not None:
            self.trace.span(
                "prefill" if not decodes else ("mixed" if tokens else "decode"),
                self.sim.now,
                self.sim.now + duration,
                pid=self.index,
                tid=0,
                decodes=decodes,
                prefill_tokens=tokens,
            )
            self.trace.counter("kv_blocks_used", self.sim.now, pid=self.index, used=self.kv.used)
        self.last_duration = duration
        self.sim.schedule(duration, self._end_iteration, batch)

    def _end_iteration(self, batch: Batch) -> None:
        now = self.sim.now  # still busy while the batch is applied: arrivals it triggers only queue
        if batch.decodes and self.num_decodes:
            self._decode_step(now)
        for req, chunk in batch.prefills:
            if batch.layer_fraction < 1.0:
                req.layer_progress += batch.layer_fraction
                done = req.layer_progress >= 1.0 - 1e-9
                if done:
                    req.prefilled = req.prefill_target
            else:
                req.prefilled += chunk
                done = req.prefilled >= req.prefill_target
            if done:
                self.prefilling.remove(req)
                if self.cache is not None and req.prefix_hashes:
                    self._cache_prompt(req)
                req.generated += 1
                if math.isnan(req.first_token):
                    req.first_token = now
                else:
                    self.metrics.tbt(now - req.last_token)
                req.last_token = now
                if self.handoff is not None and req.generated < req.output_tokens and self.handoff(self, req):
                    self.outstanding -= 1  # its KV stays here until the transfer ends (`release_handed_off`)
                    self._awaiting += 1
                    self.high_outstanding -= req.priority > 0
                    continue
                self._join_decode(req)
        self.busy = False
        self._start_iteration()

    def _decode_step(self, now: float) -> None:
        i = self.index
        joiners = [r for r in self._joiners if r.active and r.replica == i]
        old = self.num_decodes - len(joiners)
        if old > 0:
            self.metrics.tbt(now - self._last_decode_end, old)
        for r in joiners:
            self.metrics.tbt(now - r.last_token)
        self._joiners.clear()
        self._last_decode_end = now
        self.step += 1
        if len(self._decode_stack) > 2 * self.num_decodes + 256:
            self._decode_stack = [r for r in self._decode_stack if r.active and r.replica == i]
        heap = self._finish_heap
        while heap and heap[0][0] <= self.step:
            _, _, req = heappop(heap)
            if not req.active or req.finish_step != self.step or req.replica != i:
                continue
            kv_len = self._leave_decode(req)
            self._release(req, kv_len, finished=True)
            req.last_token = now
            self._finish(req)
