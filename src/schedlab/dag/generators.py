"""Instance generators: Topcuoglu et al.'s random DAGs and scientific-workflow shapes.

Random DAGs (Topcuoglu, Hariri, Wu 2002, section 5.1): v tasks on levels; height ~ sqrt(v)/alpha
on average, level widths ~ alpha*sqrt(v); each task gets edges to up to `out_degree` tasks on
later levels; mean task cost w_i ~ U[0, 2*w_dag]; cost on processor j ~ U[w_i(1-beta/2),
w_i(1+beta/2)]; edge costs scaled so mean communication / mean computation = CCR.

Workflow shapes (Montage, Epigenomics, CyberShake, LIGO, SIPHT): the Pegasus workflows'
level structure (fan-out/fan-in pattern) with random costs; these are shape generators in the
spirit of the WfCommons recipes, not replays of real workflow traces.
"""

from __future__ import annotations

import math

import numpy as np

from schedlab.core.errors import UnknownNameError
from schedlab.dag.model import DagProblem


def _costs(rng: np.random.Generator, n: int, p: int, w_dag: float, beta: float) -> np.ndarray:
    mean = rng.uniform(0, 2 * w_dag, size=n)
    mean = np.maximum(mean, 1e-3 * w_dag)
    return rng.uniform(mean[:, None] * (1 - beta / 2), mean[:, None] * (1 + beta / 2), size=(n, p))


def _finish(rng, name, n, p, edges, w_dag, beta, ccr) -> DagProblem:
    cost = _costs(rng, n, p, w_dag, beta)
    if edges:
        raw = rng.uniform(0.5, 1.5, size=len(edges))
        mean_comp = float(cost.mean())
        scale = ccr * mean_comp / float(raw.mean())
        edges = [(u, v, float(r * scale)) for (u, v), r in zip(edges, raw, strict=True)]
    return DagProblem.build(cost, edges, name=name)


def random_dag(
    n: int = 100,
    processors: int = 8,
    ccr: float = 1.0,
    alpha: float = 1.0,
    out_degree: int = 3,
    beta: float = 0.5,
    w_dag: float = 50.0,
    seed: int = 0,
) -> DagProblem:
    """A Topcuoglu-style random DAG with a single entry and a single exit task."""
    if n < 3:
        raise ValueError("a random DAG needs at least 3 tasks (entry, body, exit)")
    rng = np.random.default_rng(seed)
    body = n - 2
    height = max(1, min(body, int(round(rng.uniform(0, 2 * math.sqrt(body) / alpha))) or 1))
    widths = rng.uniform(0, 2 * alpha * math.sqrt(body), size=height) + 1e-9
    counts = np.maximum(1, np.floor(widths / widths.sum() * body)).astype(int)
    while counts.sum() > body:
        counts[np.argmax(counts)] -= 1
    while counts.sum() < body:
        counts[rng.integers(height)] += 1
    levels, next_id = [], 1
    for c in counts:
        levels.append(list(range(next_id, next_id + int(c))))
        next_id += int(c)
    exit_id = n - 1
    edges = set()
    for lvl, tasks in enumerate(levels):
        later = [t for lv in levels[lvl + 1 :] for t in lv]
        for t in tasks:
            if later:
                k = min(out_degree, len(later))
                near = levels[lvl + 1]
                first = int(rng.choice(near))
                edges.add((t, first))
                others = [x for x in later if x != first]
                for x in rng.choice(others, size=min(k - 1, len(others)), replace=False) if k > 1 and others else []:
                    edges.add((t, int(x)))
    has_pred = {v for _, v in edges}
    has_succ = {u for u, _ in edges}
    for t in range(1, n - 1):
        if t not in has_pred:
            edges.add((0, t))
        if t not in has_succ:
            edges.add((t, exit_id))
    return _finish(
        rng,
        f"random-n{n}-p{processors}-ccr{ccr}-a{alpha}-d{out_degree}-b{beta}-s{seed}",
        n,
        processors,
        sorted(edges),
        w_dag,
        beta,
        ccr,
    )


def _workflow_edges(kind: str, width: int) -> tuple[int, list[tuple[int, int]]]:
    edges: list[tuple[int, int]] = []
    ids = iter(range(10**6))

    def layer(k):
        return [next(ids) for _ in range(k)]

    if kind == "montage":
        proj = layer(width)
        diff = layer(max(1, 2 * width - 2))
        for i, d in enumerate(diff):
            edges += [(proj[i % width], d), (proj[(i + 1) % width], d)]
        concat, bg = layer(1), layer(1)
        edges += [(d, concat[0]) for d in diff] + [(concat[0], bg[0])]
        corr = layer(width)
        edges += [(bg[0], c) for c in corr] + [(p, c) for p, c in zip(proj, corr, strict=True)]
        add, shrink, jpg = layer(1), layer(1), layer(1)
        edges += [(c, add[0]) for c in corr] + [(add[0], shrink[0]), (shrink[0], jpg[0])]
    elif kind == "epigenomics":
        split = layer(1)
        for _ in range(width):
            a, b, c, d = layer(1), layer(1), layer(1), layer(1)
            edges += [(split[0], a[0]), (a[0], b[0]), (b[0], c[0]), (c[0], d[0])]
        tails = [e[1] for e in edges if e[1] not in {x[0] for x in edges}]
        merge, index, pileup = layer(1), layer(1), layer(1)
        edges += [(t, merge[0]) for t in tails] + [(merge[0], index[0]), (index[0], pileup[0])]
    elif kind == "cybershake":
        extract = layer(2)
        seis = layer(width)
        edges += [(extract[i % 2], s) for i, s in enumerate(seis)]
        peak = layer(width)
        edges += list(zip(seis, peak, strict=True))
        zip_seis, zip_peak = layer(1), layer(1)
        edges += [(s, zip_seis[0]) for s in seis] + [(p, zip_peak[0]) for p in peak]
    elif kind == "ligo":
        groups = max(1, width // 4)
        for _ in range(groups):
            tmplt = layer(4)
            insp = layer(4)
            edges += list(zip(tmplt, insp, strict=True))
            thinca = layer(1)
            edges += [(i, thinca[0]) for i in insp]
            trig = layer(4)
            edges += [(thinca[0], t) for t in trig]
            insp2 = layer(4)
            edges += list(zip(trig, insp2, strict=True))
            thinca2 = layer(1)
            edges += [(i, thinca2[0]) for i in insp2]
    elif kind == "sipht":
        patser = layer(width)
        concate = layer(1)
        edges += [(p, concate[0]) for p in patser]
        pre = layer(5)
        srna, ffn, blast = layer(1), layer(1), layer(4)
        edges += [(x, srna[0]) for x in pre] + [(concate[0], srna[0]), (srna[0], ffn[0])]
        edges += [(ffn[0], b) for b in blast]
        annotate = layer(1)
        edges += [(b, annotate[0]) for b in blast] + [(srna[0], annotate[0])]
    else:
        raise UnknownNameError(f"unknown workflow {kind!r}; known: {', '.join(WORKFLOWS)}")
    n = 1 + max(max(e) for e in edges)
    return n, sorted(set(edges))


WORKFLOWS = ("montage", "epigenomics", "cybershake", "ligo", "sipht")


def workflow(
    kind: str, width: int = 8, processors: int = 4, ccr: float = 1.0, beta: float = 0.5, w_dag: float = 50.0, seed: int = 0
) -> DagProblem:
    """A workflow-shaped DAG whose parallel stages are `width` tasks wide."""
    rng = np.random.default_rng(seed)
    n, edges = _workflow_edges(kind, width)
    return _finish(rng, f"{kind}-w{width}-p{processors}-s{seed}", n, processors, edges, w_dag, beta, ccr)
