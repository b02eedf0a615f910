"""schedlab: model a scheduling problem once, solve it offline, compare against known bounds."""

from schedlab.core.model import (
    Job,
    Mode,
    Objective,
    Precedence,
    Problem,
    ProblemBuilder,
    Resource,
    SetupTime,
    Task,
)
from schedlab.core.result import Result, Status
from schedlab.core.schedule import Schedule, ScheduledTask

__all__ = [
    "Job",
    "Mode",
    "Objective",
    "Precedence",
    "Problem",
    "ProblemBuilder",
    "Resource",
    "Result",
    "Schedule",
    "ScheduledTask",
    "SetupTime",
    "Status",
    "Task",
]
__version__ = "0.1.0"
