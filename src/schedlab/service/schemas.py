"""The service's request schemas: fixed ones for solve and sweep jobs, generated ones for simulations.

Each registered domain gets a request model built from its declaration (parameters with types,
bounds and choices, its policies, their options, the seed), so OpenAPI documents every field
and the service checks values, not only names. Unknown fields are refused everywhere; numbers
must be finite; a `local_file` parameter takes a bundled name or `upload:ID` (a file uploaded
to this service), never a server path.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from schedlab.sim.domain import SEED_LIMIT, Domain, domain_names, get_domain
from schedlab.sim.params import UPLOAD_REF, ParamSpec

MAX_TEXT_BYTES = 5 * 1024 * 1024
STRICT = ConfigDict(extra="forbid", allow_inf_nan=False)
Seed = Annotated[int, Field(ge=0, le=SEED_LIMIT, description="random seed")]


def _field_type(spec: ParamSpec) -> Any:
    meta = spec.meta
    if meta.choices is not None:
        kind: Any = Literal[tuple(meta.choices)]
        if meta.local_file:
            upload = Annotated[str, Field(pattern=UPLOAD_REF.pattern, description="a file uploaded with POST /uploads")]
            kind = kind | upload
    elif spec.type is str:
        kind = Annotated[str, Field(max_length=200)]
    else:
        kind = Annotated[spec.type, Field(ge=meta.ge, gt=meta.gt, le=meta.le, lt=meta.lt)]
    return kind | None if spec.optional else kind


def _field(spec: ParamSpec, description: str) -> tuple[Any, Any]:
    return _field_type(spec), Field(spec.default, description=description)


def params_model(domain: Domain) -> type[BaseModel]:
    """`<Domain>Params`: every parameter, `policy`, `seed` and every policy option (null: the policy's default)."""
    fields: dict[str, Any] = {
        "policy": (Literal[tuple(domain.policies.names())], Field(domain.default_policy, description="the policy")),
        "seed": (Seed, Field(0)),
    }
    for spec in domain.param_specs():
        fields[spec.name] = _field(spec, spec.help_text())
    for name, spec in domain.option_specs().items():
        users = ", ".join(domain.policies_with_option(name))
        fields[name] = (_field_type(spec) | None, Field(None, description=f"option of {users}: {spec.help_text()}"))
    model_name = "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]", domain.name)) + "Params"
    return create_model(model_name, __config__=STRICT, **fields)


def simulate_model(domain: Domain) -> type[BaseModel]:
    name = "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]", domain.name)) + "Simulation"
    params = params_model(domain)
    return create_model(
        name,
        __config__=STRICT,
        domain=(Literal[domain.name], Field(description=domain.description)),
        params=(params, Field(default_factory=params, description="parameters, policy, seed and options")),
    )


def simulate_request_type() -> tuple[Any, str | None]:
    """The request body of POST /jobs/simulate: a union over the domains told apart by `domain` (and that discriminator)."""
    models = [simulate_model(get_domain(name)) for name in domain_names()]
    if len(models) == 1:
        return models[0], None
    return Union[tuple(models)], "domain"  # noqa: UP007 - a union built at run time


SolverParamKey = Annotated[str, Field(pattern=r"^[a-z][a-z_]{0,39}$")]
SolverParamValue = bool | int | float | Annotated[str, Field(max_length=100)]
SERVER_FILE_PARAMS = frozenset({"weights"})  # they name files on the server: a remote caller may not set them


class SolveRequest(BaseModel):
    model_config = STRICT

    instance: str | None = Field(None, max_length=200, description="a bundled instance name such as ft06, ta01, Mk01, j301_1")
    upload: int | None = Field(None, ge=1, le=2**53, description="an instance uploaded with POST /uploads")
    text: str | None = Field(None, description="the instance file's content (any supported format), up to 5 MB")
    filename: str | None = Field(None, max_length=200, description="file name of `text`, used to detect its format")
    format: str | None = Field(None, max_length=40)
    solver: str = Field("auto", max_length=100)
    time_limit: float = Field(10.0, gt=0, le=3600)
    seed: Seed = 0
    params: dict[SolverParamKey, SolverParamValue] = Field(
        default_factory=dict, max_length=16,
        description="solver parameters, as the CLI's --param KEY=VALUE: e.g. {\"samples\": 64} for the learned job-shop "
                    "solvers, {\"learned\": 1} for auto; not 'weights', which names a file on the server")

    @field_validator("params")
    @classmethod
    def no_server_files(cls, v: dict[str, Any]) -> dict[str, Any]:
        named = sorted(SERVER_FILE_PARAMS & set(v))
        if named:
            raise ValueError(f"solver parameter {named[0]!r} names a file on the server; the service does not take it")
        return v

    @field_validator("text")
    @classmethod
    def text_size(cls, v: str | None) -> str | None:
        if v is not None and len(v.encode()) > MAX_TEXT_BYTES:
            raise ValueError(f"instance text is larger than {MAX_TEXT_BYTES // (1024 * 1024)} MB; upload it with POST /uploads")
        return v


class SweepRequest(BaseModel):
    model_config = STRICT

    suite: str = Field(max_length=100)
    solvers: list[Annotated[str, Field(max_length=100)]] = Field(min_length=1, max_length=20)
    seeds: list[Seed] = Field(default_factory=lambda: [0], min_length=1, max_length=20)
    time_limit: float = Field(1.0, gt=0, le=600)
    iterations: int | None = Field(
        None, ge=1, le=10_000_000, description="step budget for search solvers, for results that do not depend on CPU speed")
    limit: int | None = Field(None, ge=1, le=100_000)
    instances: list[Annotated[str, Field(max_length=200)]] | None = Field(None, max_length=100_000)
    executor: Literal["serial", "ray"] = Field("serial", description="run in the job process, or dispatch each run to Ray")
    address: str | None = Field(None, max_length=200, description="Ray cluster address (default: a local Ray instance)")


class UploadRequest(BaseModel):
    model_config = STRICT

    name: str = Field(max_length=200, description="the file's name (its extension helps detect instance formats)")
    text: str = Field(description="the file's content, up to the service's upload limit")
