"""Importers: turn a benchmark file into an instance folder (docs/instance-format.md).

`convert(fmt, source, folder)` dispatches to one module per format; each module has
`convert(source: Path, folder: Path) -> None` that fills the (existing, empty) `folder` with CSV
layers and an `instance.toml`. The CLI (`siting import`) wraps the call in an atomic write.

OR-Library files are read by whitespace-separated TOKENS, never by lines: mirrors reflow
whitespace, use CRLF line ends or pad the file with NUL bytes. A malformed file raises
`InstanceError` naming the file and the token (and its line) that was expected.
"""

from __future__ import annotations

import csv
import importlib
import inspect
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from siting.errors import InstanceError, Problem

# CLI format name -> module of this package
FORMATS = {
    "orlib-scp": "orlib_scp",
    "orlib-pmed": "orlib_pmed",
    "swain": "swain",
    "spopt-sf": "spopt_sf",
    "orlib-cap": "orlib_cap",
    "holmberg": "holmberg",
    "orlib-pmedcap": "orlib_pmedcap",
    "frlm25": "frlm25",
}


def convert(fmt: str, source: Path, folder: Path, **options) -> None:
    """Write the instance folder for benchmark `source` of format `fmt` into `folder`.

    `options` go to the format's converter (frlm25: range_, p); a format without them refuses."""
    source, folder = Path(source), Path(folder)
    if fmt not in FORMATS:
        raise InstanceError(Problem(str(source), f"unknown import format {fmt!r}; known: {', '.join(FORMATS)}"))
    if not source.exists():
        raise InstanceError(Problem(str(source), "file not found"))
    module = importlib.import_module(f"siting.importers.{FORMATS[fmt]}")
    accepted = inspect.signature(module.convert).parameters
    unknown = [k for k in options if k not in accepted]
    if unknown:
        names = ", ".join("--" + k.rstrip("_") for k in unknown)
        raise InstanceError(Problem(str(source), f"format {fmt} does not take {names}"))
    module.convert(source, folder, **options)


# -- errors ---------------------------------------------------------------------------------------
def malformed(source: Path | str, message: str) -> InstanceError:
    return InstanceError(Problem(file=str(source), message=message))


# -- tokens ---------------------------------------------------------------------------------------
def read_text(source: Path) -> str:
    """The file as text: NUL bytes become blanks, a UTF-8 BOM is dropped, bad bytes are kept visible."""
    if source.is_dir():
        raise malformed(source, "is a folder, expected a file")
    try:
        data = source.read_bytes()
    except OSError as err:
        raise malformed(source, f"cannot read: {err}") from None
    return data.replace(b"\x00", b" ").decode("utf-8", errors="replace").removeprefix("\ufeff")


@dataclass
class Tokens:
    """Whitespace-separated tokens of a file, with the line each came from, read front to back."""

    source: Path
    words: list[str]
    lines: list[int]
    pos: int = 0

    @classmethod
    def read(cls, source: Path, text: str | None = None) -> Tokens:
        text = read_text(source) if text is None else text
        words: list[str] = []
        lines: list[int] = []
        for number, line in enumerate(text.splitlines(), start=1):
            parts = line.split()
            words.extend(parts)
            lines.extend([number] * len(parts))
        return cls(Path(source), words, lines)

    @property
    def left(self) -> int:
        return len(self.words) - self.pos

    def _where(self, k: int) -> str:
        return f"token {k + 1} (line {self.lines[k]})"

    def next(self, what: str) -> str:
        if self.pos >= len(self.words):
            if not self.words:
                raise malformed(self.source, f"the file is empty: expected {what}")
            raise malformed(self.source, f"the file ends after {len(self.words)} tokens: expected {what}")
        word = self.words[self.pos]
        self.pos += 1
        return word

    def int(self, what: str, minimum: int | None = None, maximum: int | None = None) -> int:
        word = self.next(what)
        try:
            value = int(word)
        except ValueError:
            raise malformed(self.source, f"{self._where(self.pos - 1)}: expected {what} (an integer), got {word!r}") from None
        low = minimum is not None and value < minimum
        high = maximum is not None and value > maximum
        if low or high:
            bounds = f"in [{minimum}, {maximum}]" if minimum is not None and maximum is not None else (
                f">= {minimum}" if minimum is not None else f"<= {maximum}")
            raise malformed(self.source, f"{self._where(self.pos - 1)}: expected {what} {bounds}, got {value}")
        return value

    def number(self, what: str, minimum: float | None = None) -> float:
        word = self.next(what)
        try:
            value = float(word)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise malformed(self.source, f"{self._where(self.pos - 1)}: expected {what} (a finite number), got {word!r}")
        if minimum is not None and value < minimum:
            raise malformed(self.source, f"{self._where(self.pos - 1)}: expected {what} >= {minimum:g}, got {word}")
        return value

    def end(self, what: str) -> None:
        """Every token has been read; anything left over means the counts in the file are wrong."""
        if self.pos < len(self.words):
            raise malformed(
                self.source,
                f"{self._where(self.pos)}: expected the end of the file after {what}, "
                f"got {self.left} more tokens starting with {self.words[self.pos]!r}",
            )


# -- writing --------------------------------------------------------------------------------------
def number_text(value: float) -> str:
    """A number as CSV text: integers without '.0', other floats round-trip exactly (repr)."""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)


def write_csv(path: Path, columns: list[str], rows) -> None:
    """Write rows (iterables of already formatted values) with a header line."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)


def write_toml(folder: Path, config: dict, header: list[str] = (), footer: list[str] = ()) -> None:
    """instance.toml from `config` (tomli_w), with comment lines before and after.

    Keep `[fast]` the last table of `config`: footer comments then read as part of it.
    """
    body = tomli_w.dumps(config)
    comments = lambda lines: "".join(f"# {line}\n" if line else "#\n" for line in lines)  # noqa: E731
    text = comments(header) + ("\n" if header else "") + body + comments(footer)
    tomllib.loads(text)  # never write a file the loader cannot read
    (folder / "instance.toml").write_text(text, encoding="utf-8")


__all__ = ["FORMATS", "Tokens", "convert", "malformed", "number_text", "read_text", "write_csv", "write_toml"]
