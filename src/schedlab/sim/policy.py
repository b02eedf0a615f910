"""The policy protocol shared by every online domain.

The simulator owns the state and the rules; at each decision point it hands a policy a
read-only view and receives a decision, which it checks before applying. A decision that breaks
a rule (an unknown job, more than the capacity, work that is not waiting) raises
`IllegalDecisionError` instead of being silently repaired, so a buggy policy is found at once.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from schedlab.core.errors import SchedlabError


class IllegalDecisionError(SchedlabError):
    """A policy returned a decision that the simulator's rules forbid."""


@runtime_checkable
class Policy(Protocol):
    """Anything with a name and a `decide(view)` method."""

    name: str

    def decide(self, view: Any) -> Any:
        """Return a decision for the state described by `view`; must not mutate it."""
        ...
