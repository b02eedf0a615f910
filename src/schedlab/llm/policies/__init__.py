"""Replica scheduling policies: each decides one iteration's batch from the replica's state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from schedlab.core.registry import Registry
from schedlab.llm.policies.layered import LayeredPrefillPolicy
from schedlab.llm.policies.length_aware import LengthAwarePolicy
from schedlab.llm.policies.orca import OrcaPolicy
from schedlab.llm.policies.sarathi import SarathiPolicy
from schedlab.llm.policies.static import StaticBatchingPolicy
from schedlab.llm.policies.vllm import VLLMPolicy

POLICIES: Registry[Callable[..., Any]] = Registry("policy")
POLICIES.register("static", StaticBatchingPolicy)
POLICIES.register("orca", OrcaPolicy)
POLICIES.register("vllm", VLLMPolicy)
POLICIES.register("sarathi", SarathiPolicy)
POLICIES.register("layered", LayeredPrefillPolicy)
POLICIES.register("sjf", lambda **kw: LengthAwarePolicy(mode="sjf", **kw))
POLICIES.register("srpt", lambda **kw: LengthAwarePolicy(mode="srpt", **kw))


def make_policy(name: str, **options: Any):
    """Build a policy by registry name with keyword options (unknown names list the known ones)."""
    return POLICIES.get(name)(**options)
