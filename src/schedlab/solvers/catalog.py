"""The solver catalogue as data: names, descriptions and declared capabilities.

The web server validates solver names and capabilities at the door but must not load the solver
implementations (Numba and OR-Tools alone take about 100 MB); it reads this catalogue, which
`python -m schedlab.solvers.catalog` prints as JSON from a short-lived process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from schedlab.core.errors import SchedlabError
from schedlab.solvers.capabilities import Capabilities


def build_catalog() -> dict[str, dict[str, Any]]:
    """Every registered solver (plug-ins included) with its description and capabilities (imports them all)."""
    from schedlab.solvers.base import SOLVERS, get_solver, solver_names

    out = {}
    for name in solver_names():
        caps = get_solver(name).capabilities
        out[name] = {
            "description": SOLVERS.describe(name),
            "shapes": sorted(caps.shapes) if caps.shapes is not None else None,
            "features": sorted(caps.features),
            "objectives": sorted(caps.objectives) if caps.objectives is not None else None,
            "problem_types": sorted(caps.problem_types),
        }
    return out


def capabilities_of(entry: dict[str, Any]) -> Capabilities:
    return Capabilities(
        frozenset(entry["shapes"]) if entry["shapes"] is not None else None,
        frozenset(entry["features"]),
        frozenset(entry["objectives"]) if entry["objectives"] is not None else None,
        frozenset(entry["problem_types"]),
    )


def load_catalog_out_of_process() -> dict[str, dict[str, Any]]:
    """The catalogue, computed in a child process so that this one never imports the solvers."""
    proc = subprocess.run([sys.executable, "-m", "schedlab.solvers.catalog"], capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise SchedlabError(f"cannot list the solvers: {proc.stderr.strip().splitlines()[-1:] or proc.returncode}")
    return json.loads(proc.stdout)


if __name__ == "__main__":
    print(json.dumps(build_catalog()))
