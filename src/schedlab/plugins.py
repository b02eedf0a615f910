"""Plug-ins from outside the package: modules that register solvers or simulation domains.

A plug-in module registers its entries when imported (`SOLVERS.register(...)`,
`register_domain(...)`). schedlab imports, once, every module named in the environment
variable `SCHEDLAB_PLUGINS` (comma-separated, importable from the current directory or the
Python path) and every entry point of the group `schedlab.plugins` of installed packages, so a
new solver or domain shows up in the CLI, the service and the dashboard without edits here.
"""

from __future__ import annotations

import importlib
import os
import sys
from importlib.metadata import entry_points

from schedlab.core.errors import SchedlabError

_loaded = False


def load_plugins() -> list[str]:
    """Import the configured plug-in modules (once per process); returns their names."""
    global _loaded
    if _loaded:
        return []
    _loaded = True
    names = [n.strip() for n in os.environ.get("SCHEDLAB_PLUGINS", "").split(",") if n.strip()]
    if names and "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.append(os.getcwd())  # `SCHEDLAB_PLUGINS=mine schedlab ...` finds ./mine.py
    loaded = []
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:
            raise SchedlabError(f"plug-in module {name!r} (SCHEDLAB_PLUGINS) could not be imported: "
                                f"{type(exc).__name__}: {exc}") from None
        loaded.append(name)
    for ep in entry_points(group="schedlab.plugins"):
        try:
            ep.load()
        except Exception as exc:
            raise SchedlabError(f"plug-in {ep.name!r} ({ep.value}) could not be loaded: {type(exc).__name__}: {exc}") from None
        loaded.append(ep.value)
    return loaded
