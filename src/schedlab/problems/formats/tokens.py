"""A whitespace tokenizer that remembers line numbers, so parse errors can name them."""

from __future__ import annotations

from schedlab.core.errors import ParseError


class Tokens:
    """Integer tokens of a text file, read in order; '#' starts a comment."""

    def __init__(self, text: str, path: str) -> None:
        self.path = path
        self._tokens: list[tuple[str, int]] = []
        for number, line in enumerate(text.splitlines(), start=1):
            for word in line.split("#", 1)[0].split():
                self._tokens.append((word, number))
        self._pos = 0

    @property
    def exhausted(self) -> bool:
        return self._pos >= len(self._tokens)

    @property
    def line(self) -> int:
        if self._pos < len(self._tokens):
            return self._tokens[self._pos][1]
        return self._tokens[-1][1] if self._tokens else 1

    def fail(self, expected: str) -> ParseError:
        return ParseError(self.path, self.line, expected)

    def int(self, what: str, minimum: int | None = None) -> int:
        if self._pos >= len(self._tokens):
            raise ParseError(self.path, self.line, f"expected {what}, but the file ended")
        word, line = self._tokens[self._pos]
        try:
            value = int(word)
        except ValueError:
            try:
                as_float = float(word)
            except ValueError:
                raise ParseError(self.path, line, f"expected {what} (an integer), got {word!r}") from None
            if not as_float.is_integer():
                raise ParseError(self.path, line, f"expected {what} (an integer), got {word!r}") from None
            value = int(as_float)
        if minimum is not None and value < minimum:
            raise ParseError(self.path, line, f"expected {what} >= {minimum}, got {value}")
        self._pos += 1
        return value

    def number(self, what: str) -> float:
        if self._pos >= len(self._tokens):
            raise ParseError(self.path, self.line, f"expected {what}, but the file ended")
        word, line = self._tokens[self._pos]
        try:
            value = float(word)
        except ValueError:
            raise ParseError(self.path, line, f"expected {what} (a number), got {word!r}") from None
        self._pos += 1
        return value

    def expect_end(self) -> None:
        if not self.exhausted:
            word, line = self._tokens[self._pos]
            raise ParseError(self.path, line, f"expected the end of the file, got {word!r}")

    def peek_line_lengths(self, count: int) -> list[int]:
        """How many tokens the next ``count`` lines hold (used by format detection)."""
        lengths: dict[int, int] = {}
        for _, line in self._tokens[self._pos:]:
            lengths[line] = lengths.get(line, 0) + 1
            if len(lengths) > count:
                break
        return list(lengths.values())[:count]
