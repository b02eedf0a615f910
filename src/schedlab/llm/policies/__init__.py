"""Replica scheduling policies: each decides one iteration's batch from the replica's state."""

from __future__ import annotations

from typing import Any

from schedlab.llm.policies.aios import AIOSFIFO, AIOSRoundRobin
from schedlab.llm.policies.base import ReplicaPolicy
from schedlab.llm.policies.continuum import ContinuumPolicy
from schedlab.llm.policies.hexgen import HexGenPolicy
from schedlab.llm.policies.layered import LayeredPrefillPolicy
from schedlab.llm.policies.length_aware import ShortestJobFirst, ShortestRemainingFirst
from schedlab.llm.policies.orca import OrcaPolicy
from schedlab.llm.policies.sarathi import SarathiPolicy
from schedlab.llm.policies.static import StaticBatchingPolicy
from schedlab.llm.policies.vllm import VLLMPolicy
from schedlab.sim.domain import policy_registry

POLICIES = policy_registry(
    "LLM replica policy",
    (StaticBatchingPolicy, OrcaPolicy, VLLMPolicy, SarathiPolicy, LayeredPrefillPolicy, ShortestJobFirst, ShortestRemainingFirst,
     ContinuumPolicy, AIOSFIFO, AIOSRoundRobin, HexGenPolicy),
)


def make_policy(name: str, **options: Any) -> ReplicaPolicy:
    """Build a policy by registry name with keyword options (unknown names list the known ones)."""
    return POLICIES.get(name)(**options)
