"""The error every simulator raises on a decision that breaks its rules.

The simulator owns the state and the rules; a policy (a `schedlab.sim.domain.Policy` subclass)
only decides, and a decision that breaks a rule (an unknown job, more than the capacity, work
that is not waiting) raises `IllegalDecisionError` instead of being silently repaired, so a
buggy policy is found at once.
"""

from __future__ import annotations

from schedlab.core.errors import SchedlabError


class IllegalDecisionError(SchedlabError):
    """A policy returned a decision that the simulator's rules forbid."""
