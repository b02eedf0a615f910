"""Priority expressions as trees: random generation, crossover, mutation, postfix and infix forms.

A tree is a nested tuple: ``("var", name)``, ``("const", value)`` or ``(op, child, ...)``.
Lower priority values are dispatched first.
"""

from __future__ import annotations

from typing import Any

import numpy as np

TERMINAL_CODES = {"p": 0, "work": 1, "ops": 2, "due": 3, "t": 4, "ready": 5, "weight": 6, "slack": 7}
CONST_CODE = 9
BINARY = {"+": 100, "-": 101, "*": 102, "/": 103, "max": 104, "min": 105}
UNARY = {"neg": 106}

Tree = tuple[Any, ...]


def random_tree(rng: np.random.Generator, terminals: tuple[str, ...], depth: int, grow: bool = True) -> Tree:
    if depth <= 0 or (grow and depth < 3 and rng.random() < 0.3):
        if rng.random() < 0.15:
            return ("const", float(rng.choice([0.5, 1.0, 2.0, 3.0, 5.0, 10.0])))
        return ("var", str(rng.choice(terminals)))
    if rng.random() < 0.1:
        return ("neg", random_tree(rng, terminals, depth - 1, grow))
    op = str(rng.choice(list(BINARY)))
    return (op, random_tree(rng, terminals, depth - 1, grow), random_tree(rng, terminals, depth - 1, grow))


def size(tree: Tree) -> int:
    return 1 if tree[0] in ("var", "const") else 1 + sum(size(c) for c in tree[1:])


def depth(tree: Tree) -> int:
    return 0 if tree[0] in ("var", "const") else 1 + max(depth(c) for c in tree[1:])


def subtrees(tree: Tree, path: tuple[int, ...] = ()) -> list[tuple[int, ...]]:
    out = [path]
    if tree[0] not in ("var", "const"):
        for i, child in enumerate(tree[1:], start=1):
            out += subtrees(child, path + (i,))
    return out


def get(tree: Tree, path: tuple[int, ...]) -> Tree:
    for i in path:
        tree = tree[i]
    return tree


def replace(tree: Tree, path: tuple[int, ...], new: Tree) -> Tree:
    if not path:
        return new
    i = path[0]
    return tree[:i] + (replace(tree[i], path[1:], new),) + tree[i + 1:]


def crossover(a: Tree, b: Tree, rng: np.random.Generator) -> Tree:
    pa = subtrees(a)
    pb = subtrees(b)
    return replace(a, pa[rng.integers(len(pa))], get(b, pb[rng.integers(len(pb))]))


def mutate(tree: Tree, rng: np.random.Generator, terminals: tuple[str, ...]) -> Tree:
    paths = subtrees(tree)
    return replace(tree, paths[rng.integers(len(paths))], random_tree(rng, terminals, 2))


def to_postfix(tree: Tree) -> tuple[np.ndarray, np.ndarray]:
    ops: list[int] = []
    consts: list[float] = []

    def walk(node: Tree) -> None:
        kind = node[0]
        if kind == "var":
            ops.append(TERMINAL_CODES[node[1]])
            consts.append(0.0)
        elif kind == "const":
            ops.append(CONST_CODE)
            consts.append(float(node[1]))
        else:
            for child in node[1:]:
                walk(child)
            ops.append(UNARY[kind] if kind in UNARY else BINARY[kind])
            consts.append(0.0)

    walk(tree)
    return np.array(ops, np.int64), np.array(consts, np.float64)


def to_infix(tree: Tree) -> str:
    kind = tree[0]
    if kind == "var":
        return str(tree[1])
    if kind == "const":
        return f"{tree[1]:g}"
    if kind == "neg":
        return f"-({to_infix(tree[1])})"
    a, b = to_infix(tree[1]), to_infix(tree[2])
    if kind in ("max", "min"):
        return f"{kind}({a}, {b})"
    return f"({a} {kind} {b})"
