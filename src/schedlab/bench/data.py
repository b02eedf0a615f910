"""Access to the benchmark archives that ship inside the package."""

from __future__ import annotations

import json
import zipfile
from functools import cache
from importlib import resources
from typing import Any


@cache
def archive(name: str) -> zipfile.ZipFile:
    path = resources.files("schedlab") / "data" / f"{name}.zip"
    return zipfile.ZipFile(str(path))


def read_text(archive_name: str, member: str) -> str:
    return archive(archive_name).read(member).decode()


def members(archive_name: str, prefix: str = "", suffix: str = "") -> list[str]:
    return sorted(n for n in archive(archive_name).namelist() if n.startswith(prefix) and n.endswith(suffix))


@cache
def jssp_instances() -> dict[str, Any]:
    return json.loads(read_text("jssp", "benchmark_instances.json"))


def parse_bound(text: str) -> tuple[float | None, float | None]:
    """kobe-scheduling's optimum column: ``v`` (proved), ``lb..ub``, or ``..ub``."""
    text = text.strip()
    if ".." in text:
        lo, hi = text.split("..", 1)
        return (float(lo) if lo else None), (float(hi) if hi else None)
    return float(text), float(text)


@cache
def optimum_csv(archive_name: str, member: str) -> dict[str, tuple[float | None, float | None]]:
    out = {}
    for line in read_text(archive_name, member).splitlines()[1:]:
        if "," in line:
            name, value = line.split(",", 1)
            out[name.strip()] = parse_bound(value)
    return out
