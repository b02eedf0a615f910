"""Name -> object registries shared by the CLI, the benchmark runner and the service."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

from schedlab.core.errors import UnknownNameError

T = TypeVar("T")


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """` (did you mean 'tabu-n7'?)` when a known name is close to `name`, else ''."""
    lowered = {k.lower(): k for k in known}
    close = difflib.get_close_matches(str(name).lower(), list(lowered), n=1, cutoff=0.6)
    return f" (did you mean {lowered[close[0]]!r}?)" if close else ""


def unknown_name_message(kind: str, name: str, known: Iterable[str]) -> str:
    """`unknown solver 'tabu-n8' (did you mean 'tabu-n7'?); known: ...` (the input quoted short)."""
    known = sorted(known)
    shown = str(name) if len(str(name)) <= 60 else str(name)[:57] + "..."
    return f"unknown {kind} {shown!r}{did_you_mean(name, known)}; known: {', '.join(known)}"


class Registry(Generic[T]):
    """A mapping from names to entries that refuses duplicates and explains unknown names.

    Look-ups ignore case (`Rules:MWKR` finds `rules:mwkr`); an unknown name gets the closest
    known one as a suggestion.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}
        self._descriptions: dict[str, str] = {}
        self._folded: dict[str, str] = {}

    def register(self, name: str, entry: T, description: str = "") -> T:
        if name in self._entries or name.lower() in self._folded:
            raise ValueError(f"{self.kind} {name!r} is already registered")
        self._entries[name] = entry
        self._descriptions[name] = description
        self._folded[name.lower()] = name
        return entry

    def unregister(self, name: str) -> None:
        """Forget an entry (tests that register a temporary plug-in clean up with this)."""
        canonical = self.canonical(name)
        del self._entries[canonical]
        self._descriptions.pop(canonical, None)
        self._folded.pop(canonical.lower(), None)

    def decorator(self, name: str, description: str = "") -> Callable[[T], T]:
        def wrap(entry: T) -> T:
            return self.register(name, entry, description)

        return wrap

    def canonical(self, name: str) -> str:
        """The registered spelling of `name` (case-insensitive), or UnknownNameError with a suggestion."""
        if name in self._entries:
            return name
        folded = self._folded.get(str(name).lower())
        if folded is not None:
            return folded
        raise UnknownNameError(unknown_name_message(self.kind, name, self._entries))

    def get(self, name: str) -> T:
        return self._entries[self.canonical(name)]

    def describe(self, name: str) -> str:
        return self._descriptions.get(self.canonical(name), "")

    def names(self) -> list[str]:
        return sorted(self._entries)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (name in self._entries or name.lower() in self._folded)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._entries)
