"""The online domain contract: a domain declares itself once, every front end follows.

A domain is a name, a description, a params dataclass (fields made with `param`), a policy
registry (small classes with a base class per domain), and `run(params, policy, seed, record)
-> SimResult`. From that alone come the `schedlab simulate DOMAIN` flags, `schedlab list
domains|policies`, the service's request schema and validation, the dashboard's form and the
generic HTML report. `register_domain` adds one; the built-in domains register on first use.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from schedlab.core.registry import Registry
from schedlab.sim.params import NoOptions, ParameterError, ParamSpec, as_dict, param_specs, parse_params
from schedlab.sim.result import SimResult


class Policy:
    """Base of every online policy: a name, a description, declared options.

    A domain's base class adds its decision hooks with defaults, so simulators call them
    without probing. Options are a params dataclass (`Options`), validated at construction and
    kept in `self.options`.
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    Options: ClassVar[type] = NoOptions
    needs_predictions: ClassVar[bool] = False  # reads predicted job/request sizes

    def __init__(self, **options: Any) -> None:
        self.options = parse_params(self.Options, options, what=f"option of policy {self.name}")

    @classmethod
    def option_specs(cls) -> list[ParamSpec]:
        return param_specs(cls.Options)


def policy_registry(kind: str, classes: Iterable[type[Policy]]) -> Registry[type[Policy]]:
    """A registry of policy classes under their `name`, described by their `description`."""
    registry: Registry[type[Policy]] = Registry(kind)
    for cls in classes:
        registry.register(cls.name, cls, cls.description)
    return registry


RunFunction = Callable[[Any, Policy, int, bool], SimResult]


@dataclass(frozen=True)
class Domain:
    """One online domain's declaration (see the module docstring)."""

    name: str
    description: str
    params: type  # a frozen dataclass of `param(...)` fields
    policies: Registry[type[Policy]]
    run: RunFunction  # (params, policy, seed, record) -> SimResult
    default_policy: str
    work: Callable[[Any], int] | None = None  # work units a run costs (what a service caps), e.g. requests
    work_name: str = ""  # what those units are called in messages, e.g. "requests"
    extra_sections: Callable[[SimResult], list[tuple[str, str]]] | None = None  # report views beyond the generic ones
    examples: tuple[str, ...] = field(default=())  # CLI argument lines shown in the docs
    components: Mapping[str, Registry] = field(default_factory=dict)  # other plug-ins by kind, e.g. dispatchers

    def __post_init__(self) -> None:
        self.policies.get(self.default_policy)
        names = {s.name for s in self.param_specs()} | {"policy", "seed"}
        for option in self.option_specs().values():
            if option.name in names:
                raise ValueError(f"domain {self.name}: policy option {option.name!r} clashes with a parameter")

    def param_specs(self) -> list[ParamSpec]:
        return param_specs(self.params)

    def option_specs(self) -> dict[str, ParamSpec]:
        """Every policy option of the domain by name (the first declaration; policies may share a name)."""
        out: dict[str, ParamSpec] = {}
        for name in self.policies.names():
            for spec in self.policies.get(name).option_specs():
                out.setdefault(spec.name, spec)
        return out

    def policies_with_option(self, option: str) -> list[str]:
        return [n for n in self.policies.names() if any(s.name == option for s in self.policies.get(n).option_specs())]

    def make_policy(self, name: str, options: Mapping[str, Any] | None = None) -> Policy:
        """Build a policy; an option it does not declare is refused with the options it has."""
        cls = self.policies.get(name)
        options = {k: v for k, v in (options or {}).items() if v is not None}
        own = {s.name for s in cls.option_specs()}
        for key in options:
            if key not in own:
                users = self.policies_with_option(key)
                where = f" (it is an option of {', '.join(users)})" if users else ""
                raise ParameterError(key, f"does not apply to policy {cls.name}{where}; "
                                          f"its options: {', '.join(sorted(own)) or 'none'}")
        return cls(**options)

    def simulate(self, values: Mapping[str, Any] | None = None, *, record: bool = False,
                 allow_local_files: bool = True) -> SimResult:
        """Validate a flat mapping (parameters, `policy`, `seed`, policy options) and run it."""
        request = split_request(self, values or {}, allow_local_files=allow_local_files)
        return self.run_request(request, record=record)

    def run_request(self, request: Request, *, record: bool = False) -> SimResult:
        policy = self.make_policy(request.policy, request.options)
        started = time.process_time()
        result = self.run(request.params, policy, request.seed, record)
        result.runtime_s = time.process_time() - started
        result.params = {**as_dict(request.params), **{k: v for k, v in request.options.items() if v is not None}}
        return result


SEED_LIMIT = 2**32 - 1


@dataclass(frozen=True)
class Request:
    """A validated simulation request: typed parameters, the policy, its options, the seed."""

    params: Any
    policy: str
    options: dict[str, Any]
    seed: int


def split_request(domain: Domain, values: Mapping[str, Any], *, allow_local_files: bool = True) -> Request:
    """Validate a flat mapping into params, policy, options and seed (errors name the field)."""
    from schedlab.sim.params import ParamMeta, ParamSpec, coerce

    values = dict(values)
    policy = values.pop("policy", None) or domain.default_policy
    if not isinstance(policy, str):
        raise ParameterError("policy", f"must be a policy name; known: {', '.join(domain.policies.names())}")
    try:
        policy = domain.policies.canonical(policy)
    except Exception as exc:
        raise ParameterError("policy", str(exc)) from None
    seed_spec = ParamSpec("seed", int, False, 0, ParamMeta("random seed", ge=0, le=SEED_LIMIT))
    seed = coerce(seed_spec, values.pop("seed", 0))
    option_specs = domain.option_specs()
    options = {}
    for key in [k for k in values if k in option_specs]:
        value = values.pop(key)
        if value is not None:
            options[key] = coerce(option_specs[key], value)
    params = parse_params(domain.params, values, allow_local_files=allow_local_files)
    domain.make_policy(policy, options)  # refuses options the policy does not have
    return Request(params, policy, options, seed)


DOMAINS: Registry[Domain] = Registry("simulation domain")
_BUILTIN = ("schedlab.llm.domain", "schedlab.dag.domain", "schedlab.cluster.domain", "schedlab.edge.domain")
_loaded = False


def _load_builtin() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    import importlib

    for module in _BUILTIN:
        importlib.import_module(module)
    from schedlab.plugins import load_plugins

    load_plugins()


def register_domain(domain: Domain) -> Domain:
    """Make a domain known to every front end (CLI, service, dashboard, report)."""
    _load_builtin()
    DOMAINS.register(domain.name, domain, domain.description)
    return domain


def get_domain(name: str) -> Domain:
    _load_builtin()
    return DOMAINS.get(name)


def domain_names() -> list[str]:
    _load_builtin()
    return DOMAINS.names()
