"""The log lines of the libraries that read files, at most one per file.

pypdf and pdfminer warn once per damaged object ("Ignoring wrong pointing object 12 0", dozens per
file); while a file is read (`LibraryLogs.reading`), their records are counted instead, and one line
names the file, the count and the first message. Errors still pass as they are. Other threads, and
the libraries outside `reading`, log as before.
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

log = logging.getLogger(__name__)

NOISY_LIBRARIES = ("pypdf", "pdfminer", "pdfplumber", "pypdfium2", "PIL", "oxmsg")


@dataclass
class _Heard:
    count: int = 0
    libraries: set[str] = field(default_factory=set)
    first: str = ""


class _Gate(logging.Handler):
    """Stands in for propagation on the libraries' loggers: while the current thread reads a file,
    warnings are counted; everything else goes on to the root logger's handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.reading = threading.local()  # .heard: the _Heard of the file this thread reads, or None

    def emit(self, record: logging.LogRecord) -> None:
        heard: _Heard | None = getattr(self.reading, "heard", None)
        if heard is not None and record.levelno < logging.ERROR:
            if record.levelno >= logging.WARNING:
                heard.count += 1
                heard.libraries.add(record.name.split(".")[0])
                heard.first = heard.first or record.getMessage()
            return
        logging.getLogger().handle(record)


def _gate() -> _Gate:
    """The gate on the libraries' loggers, hung there by the first LibraryLogs of the process and found
    there by every later one (the loggers are the process's; two gates would let a record through)."""
    loggers = [logging.getLogger(name) for name in NOISY_LIBRARIES]
    found = next((h for h in loggers[0].handlers if isinstance(h, _Gate)), None)
    if found is not None:
        return found
    gate = _Gate()
    for library in loggers:
        library.addHandler(gate)
        library.propagate = False
    return gate


class LibraryLogs:
    """Built where the parts are built (before any thread reads files) and handed to the indexer."""

    def __init__(self) -> None:
        self._gate = _gate()

    @contextmanager
    def reading(self, name: str) -> Iterator[None]:
        """While the file `name` is read in this thread: the libraries' warnings become one line at the end."""
        state = self._gate.reading
        if getattr(state, "heard", None) is not None:  # already inside: the outer file's line counts these too
            yield
            return
        heard = state.heard = _Heard()
        try:
            yield
        finally:
            state.heard = None
            if heard.count:
                log.info("%s: %d warning(s) from %s while reading, the first: %s", name or "a file",
                         heard.count, ", ".join(sorted(heard.libraries)), heard.first[:200])
