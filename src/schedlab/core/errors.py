"""Errors that schedlab raises on purpose; anything else is a bug."""

from __future__ import annotations


class SchedlabError(Exception):
    """Base class: the CLI turns these into one readable line and exit status 2."""


class ParseError(SchedlabError):
    """A file does not follow its format; names the file, the line and what was expected."""

    def __init__(self, path: str, line: int | None, expected: str) -> None:
        self.path = path
        self.line = line
        self.expected = expected
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {expected}")


class ModelError(SchedlabError):
    """A problem is inconsistent (bad index, negative duration, cyclic precedence, ...)."""


class UnknownNameError(SchedlabError):
    """A registry lookup failed; the message lists the known names."""


class UnsupportedProblemError(SchedlabError):
    """A solver was asked to solve a problem with features it does not handle."""
