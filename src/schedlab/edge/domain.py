"""Three edge/cloud domains: `drones` (DNN inference from a drone fleet), `mec` (offloading with
delay/energy preferences) and `iot` (task allocation to heterogeneous cloud nodes)."""

from __future__ import annotations

from dataclasses import dataclass

from schedlab.edge.drones import DRONE_POLICIES, DroneScenario, run_drones
from schedlab.edge.iot import IOT_POLICIES, IoTScenario, run_iot
from schedlab.edge.mec import MEC_POLICIES, MECScenario, run_mec
from schedlab.learn.iot import LearnedACO, LearnedIoT
from schedlab.learn.mec import LearnedMEC
from schedlab.sim.domain import Domain, Policy, register_domain
from schedlab.sim.params import ParameterError, param
from schedlab.sim.result import SimResult, Span


@dataclass(frozen=True)
class DroneParams:
    drones: int = param(5, "drones, each sending a video segment every period", ge=1, le=10_000)
    period_s: float = param(1.0, "seconds between a drone's segments", ge=0.001, le=3600, unit="s")
    duration_s: float = param(300.0, "simulated seconds", gt=0, le=1e7, unit="s")
    edge_noise: float = param(0.1, "sigma of the log-normal edge execution-time noise", ge=0, le=10)
    cloud_latency_s: float = param(0.25, "mean network round trip to the cloud", ge=0, le=3600, unit="s")
    cloud_latency_sigma: float = param(0.4, "sigma of the log-normal network latency", ge=0, le=10)
    degraded_every_s: float = param(60.0, "a degraded-network period starts this often (0: never)", ge=0, le=1e7, unit="s")
    degraded_for_s: float = param(15.0, "length of a degraded-network period", ge=0, le=1e7, unit="s")
    degraded_factor: float = param(3.0, "latency multiplier while degraded", ge=1, le=1000)
    qoe_window_s: float = param(10.0, "QoE window length (GEMS)", gt=0, le=1e6, unit="s")


MEC_POLICIES.register(LearnedMEC.name, LearnedMEC, LearnedMEC.description)
for _learned in (LearnedIoT, LearnedACO):
    IOT_POLICIES.register(_learned.name, _learned, _learned.description)


def run_drones_domain(params: DroneParams, policy: Policy, seed: int, record: bool) -> SimResult:
    if params.degraded_for_s > params.degraded_every_s > 0:
        raise ParameterError("degraded_for_s", "must not exceed degraded_every_s")
    scenario = DroneScenario(**params.__dict__)
    if params.drones * params.duration_s / params.period_s > 50_000_000:
        raise ParameterError("drones", "drones x duration_s / period_s is over 50 million segments")
    m, sim = run_drones(policy, scenario, seed, record)
    out = SimResult("drones", policy.name, seed, {}, headline=("tasks", "completion_rate", "qos_utility", "qoe", "dropped",
                                                               "cloud_calls"))
    for name, value in m.items():
        if isinstance(value, (int, float)):
            out.metric(name, value)
    out.breakdowns["on_time_by_type"] = m["on_time_by_type"]
    names = [t.name for t in scenario.types]
    out.spans = [Span("edge", start, end, names[k], names[k]) for k, start, end in sim.edge_spans]
    return out


@dataclass(frozen=True)
class MECParams:
    users: int = param(30, "mobile users", ge=1, le=100_000)
    tasks_per_user: int = param(100, "tasks each user generates", ge=1, le=1_000_000)
    rate_per_user: float = param(0.5, "tasks per second per user", gt=0, le=1e6, unit="1/s")
    local_ghz: float = param(1.5, "device CPU frequency", gt=0, le=100, unit="GHz")
    uplink_mbps: float = param(20.0, "uplink rate", gt=0, le=1e6, unit="Mbit/s")
    tx_power_w: float = param(0.5, "device transmit power", ge=0, le=100, unit="W")


def run_mec_domain(params: MECParams, policy: Policy, seed: int, record: bool) -> SimResult:
    m, state = run_mec(policy, scenario=MECScenario(**params.__dict__), seed=seed)
    out = SimResult("mec", policy.name, seed, {}, headline=("tasks", "delay.mean", "energy.mean", "offload_share"))
    for name in ("tasks", "delay.mean", "delay.p95", "energy.mean", "offload_share"):
        out.metric(name, m[name], "s" if name.startswith("delay") else "J" if name.startswith("energy") else "")
    ghz = MECScenario().server_ghz
    labels = ["local"] + [f"server {k} ({g:g} GHz)" for k, g in enumerate(ghz)]
    out.breakdowns["tasks_by_place"] = dict(zip(labels, m["choices"], strict=True))
    out.samples["delay"] = list(state.delays)
    return out


@dataclass(frozen=True)
class IoTParams:
    streams: int = param(30, "IoT streams", ge=1, le=100_000)
    rate_per_stream: float = param(0.12, "tasks per second per stream", gt=0, le=1e4, unit="1/s")
    duration_s: float = param(600.0, "seconds of arrivals", gt=0, le=1e7, unit="s")
    batch_s: float = param(1.0, "allocation interval", gt=0, le=1e4, unit="s")


def run_iot_domain(params: IoTParams, policy: Policy, seed: int, record: bool) -> SimResult:
    m, state = run_iot(policy, IoTScenario(**params.__dict__), seed)
    out = SimResult("iot", policy.name, seed, {}, headline=("tasks", "response.mean", "sla_violation_rate", "energy_kj",
                                                            "utilization"))
    for name, value in m.items():
        if isinstance(value, (int, float)):
            out.metric(name, value, "s" if name.startswith("response") else "kJ" if name == "energy_kj" else "")
    out.samples["response"] = (state.finish - state.arrivals).tolist()
    return out


def _iot_tasks(p: IoTParams) -> int:
    return int(p.streams * p.rate_per_stream * p.duration_s)


register_domain(Domain(
    name="drones", description="DNN inference from a drone fleet on an edge accelerator with a pay-per-use cloud",
    params=DroneParams, policies=DRONE_POLICIES, run=run_drones_domain, default_policy="dems-a",
    work=lambda p: int(p.drones * p.duration_s / p.period_s) * 4, work_name="tasks",
    examples=("--policy gems --drones 5",),
))
register_domain(Domain(
    name="mec", description="mobile edge computing: offload each task to the device or an edge server (delay vs energy)",
    params=MECParams, policies=MEC_POLICIES, run=run_mec_domain, default_policy="weighted",
    work=lambda p: p.users * p.tasks_per_user, work_name="tasks",
    examples=("--policy weighted --weight 0.5",),
))
register_domain(Domain(
    name="iot", description="IoT tasks allocated in batches to heterogeneous cloud nodes (SLA deadlines, energy)",
    params=IoTParams, policies=IOT_POLICIES, run=run_iot_domain, default_policy="aco",
    work=_iot_tasks, work_name="tasks",
    examples=("--policy aco",),
))
