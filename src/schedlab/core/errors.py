"""Errors that schedlab raises on purpose; anything else is a bug."""

from __future__ import annotations


class SchedlabError(Exception):
    """Base class: the CLI turns these into one readable line and exit status 2."""


MAX_MESSAGE = 300


def excerpt(text: str, limit: int = MAX_MESSAGE) -> str:
    """`text` cut to `limit` characters, saying how much was left out (errors never echo a whole input)."""
    text = str(text)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text) - limit} more characters)"


class ParseError(SchedlabError):
    """A file does not follow its format; names the file, the line and what was expected (quoted short)."""

    def __init__(self, path: str, line: int | None, expected: str) -> None:
        path = excerpt(path, 200)
        expected = excerpt(expected)
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
