"""Typed, bounded parameters declared once on a frozen dataclass, validated in one place.

A domain's parameters (and a policy's options) are dataclass fields made with `param`: a
default, a help text, bounds or choices. Every front end reads the same declaration: the CLI
makes its flags from it, the service its request schema, the dashboard its form. Values are
checked by `parse_params`, whose errors name the parameter and the allowed range.
"""

from __future__ import annotations

import dataclasses
import math
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from schedlab.core.errors import SchedlabError
from schedlab.core.registry import did_you_mean, unknown_name_message

_META = "schedlab.param"
UPLOAD_REF = re.compile(r"^upload:[1-9][0-9]{0,15}$")  # a file uploaded to the service, where paths are refused


class ParameterError(SchedlabError):
    """A parameter value is missing its type, range or choice; names the parameter."""

    def __init__(self, name: str, detail: str) -> None:
        self.name = name
        self.detail = detail
        super().__init__(f"{name}: {detail}")


@dataclass(frozen=True)
class ParamMeta:
    help: str
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None
    choices: tuple[str, ...] | None = None
    local_file: bool = False  # a string the CLI may read as a local file; the service takes bundled names or uploads
    unit: str = ""


def param(
    default: Any,
    help: str,
    *,
    ge: float | None = None,
    gt: float | None = None,
    le: float | None = None,
    lt: float | None = None,
    choices: tuple[str, ...] | None = None,
    local_file: bool = False,
    unit: str = "",
) -> Any:
    """A dataclass field declaring one parameter: its default, help text, bounds and choices."""
    meta = ParamMeta(help, ge, gt, le, lt, tuple(choices) if choices is not None else None, local_file, unit)
    return field(default=default, metadata={_META: meta})


@dataclass(frozen=True)
class ParamSpec:
    """One declared parameter as the front ends see it."""

    name: str
    type: type  # int, float, str or bool
    optional: bool  # None is allowed (and means "derive it")
    default: Any
    meta: ParamMeta

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def describe_range(self) -> str:
        """'an integer >= 1 and <= 1000000', 'one of: a, b', 'a number > 0' (what the error messages and help say)."""
        m = self.meta
        if m.choices is not None:
            what = "one of: " + ", ".join(m.choices)
        else:
            what = {int: "an integer", float: "a number", bool: "true or false", str: "a text"}[self.type]
            bounds = [f"{op} {_num(v)}" for op, v in ((">=", m.ge), (">", m.gt), ("<=", m.le), ("<", m.lt)) if v is not None]
            if bounds:
                what += " " + " and ".join(bounds)
        if m.local_file:
            what += " (or, from the command line, a file path)"
        return what

    def help_text(self) -> str:
        default = "derived" if self.default is None else _num(self.default)
        unit = f" ({self.meta.unit})" if self.meta.unit else ""
        return f"{self.meta.help}{unit}; {self.describe_range()}; default {default}"


def _num(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value)) if abs(value) >= 1e4 else f"{value:g}"
    return str(value)


def _base_type(hint: Any) -> tuple[type, bool]:
    """(int|float|str|bool, optional) from an annotation such as `int`, `float | None`, `Optional[str]`."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) != 1:
            raise TypeError(f"parameter type {hint!r} must be one scalar type, optionally with None")
        return _base_type(args[0])[0], True
    if hint in (int, float, str, bool):
        return hint, False
    raise TypeError(f"parameter type {hint!r} is not int, float, str or bool")


def param_specs(cls: type) -> list[ParamSpec]:
    """The declared parameters of a params dataclass, in declaration order."""
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls.__name__} must be a dataclass")
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        meta = f.metadata.get(_META)
        if meta is None:
            raise TypeError(f"{cls.__name__}.{f.name} is not declared with param(...)")
        kind, optional = _base_type(hints[f.name])
        default = f.default if f.default is not dataclasses.MISSING else None
        out.append(ParamSpec(f.name, kind, optional or default is None, default, meta))
    return out


def coerce(spec: ParamSpec, value: Any, *, allow_local_files: bool = True) -> Any:
    """Check one value against its declaration; strings (from the CLI) are converted."""
    if value is None:
        if spec.optional:
            return None
        raise ParameterError(spec.name, f"must be {spec.describe_range()}, got nothing")
    kind = spec.type
    try:
        if kind is bool:
            value = as_bool(value)
        elif kind is int:
            value = _as_int(value)
        elif kind is float:
            value = _as_float(value)
        elif not isinstance(value, str):
            raise ValueError
    except (ValueError, TypeError, OverflowError):
        raise ParameterError(spec.name, f"must be {spec.describe_range()}, got {_excerpt(value)}") from None
    meta = spec.meta
    if meta.choices is not None:
        return _choice(spec, value, allow_local_files)
    if kind in (int, float):
        bad = (
            (meta.ge is not None and value < meta.ge)
            or (meta.gt is not None and value <= meta.gt)
            or (meta.le is not None and value > meta.le)
            or (meta.lt is not None and value >= meta.lt)
        )
        if bad:
            raise ParameterError(spec.name, f"must be {spec.describe_range()}, got {_excerpt(value)}")
    return value


def _choice(spec: ParamSpec, value: str, allow_local_files: bool) -> str:
    choices = spec.meta.choices or ()
    for choice in choices:
        if value.lower() == choice.lower():
            return choice
    if spec.meta.local_file and (allow_local_files or UPLOAD_REF.match(value)):
        return value  # a local file (CLI) or an upload (service); the reader names the file and what it expected
    raise ParameterError(spec.name, unknown_name_message("value", value, choices))


def as_bool(value: Any) -> bool:
    """True/false, yes/no, on/off or 1/0 as text, or a bool; anything else raises ValueError."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "yes", "1", "on", "false", "no", "0", "off"):
        return value.lower() in ("true", "yes", "1", "on")
    raise ValueError


def _as_int(value: Any) -> int:
    if isinstance(value, bool):
        raise TypeError
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return int(value.strip())
    raise TypeError


def _as_float(value: Any) -> float:
    if isinstance(value, bool):
        raise TypeError
    if isinstance(value, (int, float)) or isinstance(value, str):
        out = float(value)
        if not math.isfinite(out):
            raise ValueError
        return out
    raise TypeError


def _excerpt(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def parse_params(cls: type, values: Mapping[str, Any] | None = None, *, allow_local_files: bool = True, what: str = "parameter"):
    """An instance of the params dataclass `cls` from `values`; unknown names and bad values raise ParameterError."""
    values = dict(values or {})
    specs = {s.name: s for s in param_specs(cls)}
    unknown = [k for k in values if k not in specs]
    if unknown:
        name = str(unknown[0])
        raise ParameterError(name if len(name) <= 40 else name[:37] + "...",
                             f"not a known {what}{did_you_mean(name, specs)}; known: {', '.join(specs) or 'none'}")
    checked = {k: coerce(specs[k], v, allow_local_files=allow_local_files) for k, v in values.items()}
    return cls(**checked)


def as_dict(params: Any) -> dict[str, Any]:
    """The values of a params dataclass instance, JSON-ready."""
    return {f.name: getattr(params, f.name) for f in dataclasses.fields(params)}


@dataclass(frozen=True)
class NoOptions:
    """Options of a policy that has none."""
