"""The format registry: read any supported instance file, detecting its format."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from schedlab.core.errors import ModelError, ParseError, SchedlabError
from schedlab.core.model import Problem
from schedlab.core.registry import Registry
from schedlab.problems.formats import fjs, flowshop, jobshop, psplib, schedlab_json, smwt
from schedlab.problems.formats.tokens import Tokens


@dataclass(frozen=True)
class Format:
    name: str
    extensions: tuple[str, ...]
    read: Callable[[str, str, str], Problem]
    write: Callable[[Problem], str]
    description: str


FORMATS: Registry[Format] = Registry("format")
for _fmt in (
    Format("jss", (".jss", ".txt"), jobshop.read_jss, jobshop.write_jss,
           "standard job shop text: 'n m', then per job machine-duration pairs (machines 0-based)"),
    Format("jsl-json", (), jobshop.read_jsl_json, jobshop.write_jsl_json,
           "job-shop-lib JSON: duration_matrix and machines_matrix"),
    Format("fjs", (".fjs",), fjs.read_fjs, fjs.write_fjs, "flexible job shop (Brandimarte/Hurink), 1-based machines"),
    Format("sm", (".sm",), psplib.read_sm, psplib.write_sm, "PSPLIB RCPSP (renewable resources)"),
    Format("fsp", (".fsp", ".pfsp"), flowshop.read_flowshop, flowshop.write_flowshop,
           "Taillard flow shop text: 'n m', then m rows of n processing times"),
    Format("smwt", (".smwt",), smwt.read_smwt, smwt.write_smwt,
           "single-machine weighted tardiness: 'n', then n lines 'p w d'"),
    Format("json", (".json",), schedlab_json.read_schedlab_json, schedlab_json.write_schedlab_json,
           "schedlab JSON (the general model; see docs/FORMAT.md)"),
    Format("dag", (), lambda text, path, name: _dag_io().parse_dag(text, path), lambda p: _dag_io().dag_to_json(p),
           'heterogeneous DAG JSON ("kind": "dag": cost matrix, edges with data; see docs/FORMAT.md)'),
):
    FORMATS.register(_fmt.name, _fmt, _fmt.description)


def _dag_io():
    from schedlab.dag import io

    return io


def detect_format(path: str, text: str) -> str:
    """Pick a format from the content first, then the extension."""
    suffix = Path(path).suffix.lower()
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return "json"  # the JSON reader reports the line
        if isinstance(data, dict) and data.get("kind") == "dag":
            return "dag"
        if isinstance(data, dict) and ("duration_matrix" in data or (
                len(data) == 1 and isinstance(next(iter(data.values())), dict)
                and "duration_matrix" in next(iter(data.values())))):
            return "jsl-json"
        return "json"
    if "PRECEDENCE RELATIONS" in text.upper():
        return "sm"
    for fmt in FORMATS.names():
        if suffix in FORMATS.get(fmt).extensions and suffix != ".txt":
            return fmt
    tokens = Tokens(text, path)
    lengths = tokens.peek_line_lengths(3)
    if len(lengths) >= 2 and lengths[0] == 2:
        try:
            n, m = tokens.int("n"), tokens.int("m")
        except ParseError:
            return "jss"
        if lengths[1] == 2 * m:
            return "jss"
        if lengths[1] == n:
            return "fsp"
    if lengths and lengths[0] == 1:
        return "smwt"
    return "jss"


MAX_INSTANCE_BYTES = int(os.environ.get("SCHEDLAB_MAX_INSTANCE_MB", "64")) * 1024 * 1024


def read_problem(path: str | Path, fmt: str | None = None) -> Problem:
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise SchedlabError(f"{path}: no such file") from None
    except OSError as exc:
        raise SchedlabError(f"{path}: cannot read ({exc.strerror})") from None
    if size > MAX_INSTANCE_BYTES:
        raise SchedlabError(f"{path}: {size / 1e6:.0f} MB is larger than the {MAX_INSTANCE_BYTES // (1024 * 1024)} MB "
                            "limit for instance files (set SCHEDLAB_MAX_INSTANCE_MB to raise it)")
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise SchedlabError(f"{path}: no such file") from None
    except (UnicodeDecodeError, IsADirectoryError) as exc:
        raise SchedlabError(f"{path}: cannot read as text ({exc.__class__.__name__})") from None
    return parse_problem(text, str(path), fmt)


def parse_problem(text: str, path: str, fmt: str | None = None) -> Problem:
    name = Path(path).stem
    chosen = FORMATS.get(fmt) if fmt else FORMATS.get(detect_format(path, text))
    if not text.strip():
        raise ParseError(path, 1, f"expected a {chosen.name} instance, the file is empty")
    try:
        return chosen.read(text, path, name)
    except ModelError as exc:
        raise ParseError(path, None, f"expected a consistent {chosen.name} instance: {exc}") from None


def write_problem(problem: Problem, path: str | Path, fmt: str | None = None) -> None:
    path = Path(path)
    chosen = fmt or next((f for f in FORMATS.names() if path.suffix.lower() in FORMATS.get(f).extensions), "json")
    path.write_text(FORMATS.get(chosen).write(problem))
