"""The log lines of the libraries that read files, at most one per file.

pypdf and pdfminer warn once per damaged object ("Ignoring wrong pointing object 12 0", dozens per
file); while a file is read, their records are counted instead, and one line names the file, the
count and the first message. Errors still pass as they are. Other threads, and the libraries
outside `quiet_library_logs`, log as before.
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

log = logging.getLogger(__name__)

NOISY_LIBRARIES = ("pypdf", "pdfminer", "pdfplumber", "pypdfium2", "PIL", "oxmsg")

_state = threading.local()
_install_lock = threading.Lock()
_installed = False


@dataclass
class _Heard:
    count: int = 0
    libraries: set[str] = field(default_factory=set)
    first: str = ""


class _Gate(logging.Handler):
    """Stands in for propagation on the libraries' loggers: while the current thread reads a file,
    warnings are counted; everything else goes on to the root logger's handlers."""

    def emit(self, record: logging.LogRecord) -> None:
        heard: _Heard | None = getattr(_state, "heard", None)
        if heard is not None and record.levelno < logging.ERROR:
            if record.levelno >= logging.WARNING:
                heard.count += 1
                heard.libraries.add(record.name.split(".")[0])
                heard.first = heard.first or record.getMessage()
            return
        logging.getLogger().handle(record)


def _install() -> None:
    global _installed
    with _install_lock:
        if _installed:
            return
        gate = _Gate()
        for name in NOISY_LIBRARIES:
            library = logging.getLogger(name)
            library.addHandler(gate)
            library.propagate = False
        _installed = True


@contextmanager
def quiet_library_logs(name: str) -> Iterator[None]:
    """While reading the file `name`: the libraries' warnings become one line at the end."""
    _install()
    outer = getattr(_state, "heard", None)
    if outer is not None:  # already inside: the outer file's line counts these too
        yield
        return
    heard = _state.heard = _Heard()
    try:
        yield
    finally:
        _state.heard = None
        if heard.count:
            log.info("%s: %d warning(s) from %s while reading, the first: %s", name or "a file",
                     heard.count, ", ".join(sorted(heard.libraries)), heard.first[:200])
