"""Running Vraagbaak: logs, metrics, and how re-indexing shares the machine with answering."""

from __future__ import annotations

from dataclasses import dataclass

from bot.settings.fields import Area, setting


@dataclass(frozen=True)
class Operations(Area):
    """Operations: logging, metrics, a second re-index request, and old index versions."""

    log_level: str = setting("INFO", "VRAAGBAAK_LOG_LEVEL", "DEBUG, INFO, WARNING or ERROR.",
                             choices=("DEBUG", "INFO", "WARNING", "ERROR"))
    log_json: bool = setting(False, "VRAAGBAAK_LOG_JSON", "Write logs as JSON lines.")
    metrics_port: int = setting(0, "VRAAGBAAK_METRICS_PORT", "Port for Prometheus metrics; 0: off.")
    reindex_when_busy: str = setting(
        "refuse", "VRAAGBAAK_REINDEX_WHEN_BUSY",
        "When a re-index is asked for while one runs: `refuse` (say so) or `wait`.", choices=("refuse", "wait"))
    keep_old_versions_seconds: int = setting(
        600, "VRAAGBAAK_KEEP_OLD_VERSIONS_SECONDS",
        "How long a superseded index version stays on disk, so a question still being answered from it "
        "is never broken; older versions are removed by the clean-up after every re-index.")
