"""Domain-free discrete-event simulation core: event loop, workloads, metrics, traces; the domain
contract (`schedlab.sim.domain`: Domain, Policy, register_domain) builds on it."""

from schedlab.sim.engine import Simulator
from schedlab.sim.metrics import Counter, QuantileSketch, TimeSeries, UtilizationTracker, jain_fairness
from schedlab.sim.policy import IllegalDecisionError
from schedlab.sim.trace import ChromeTrace
from schedlab.sim.workload import gamma_arrivals, poisson_arrivals, rescale_arrivals

__all__ = [
    "ChromeTrace",
    "Counter",
    "IllegalDecisionError",
    "QuantileSketch",
    "Simulator",
    "TimeSeries",
    "UtilizationTracker",
    "gamma_arrivals",
    "jain_fairness",
    "poisson_arrivals",
    "rescale_arrivals",
]
