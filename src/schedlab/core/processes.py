"""Process hygiene shared by the service and the portfolio: helpers die with their parent."""

from __future__ import annotations

import ctypes
import signal


def die_with_parent() -> bool:
    """Linux: the kernel sends SIGKILL to this process when its parent dies (kill -9 included), so
    no helper runs on as an orphan. Returns False where prctl is missing (not Linux).

    The signal is tied to the parent *thread* that created this process; callers create their
    helpers from long-lived threads.
    """
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return False
    return prctl(1, signal.SIGKILL) == 0  # PR_SET_PDEATHSIG
