"""Reads the settings: the only reader of the environment and of the config file.

Precedence, lowest first: the defaults of each area, a TOML file (``VRAAGBAAK_CONFIG``, else
``vraagbaak.toml`` in the working directory when present), environment variables, CLI flags.
In the TOML file a setting sits under its area (``[retrieval]`` then ``top_k = 9``); its flat name
(``top_k = 9`` at the top) works too, so files written before the areas keep working.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import fields
from pathlib import Path
from typing import Any, Mapping, get_type_hints

from bot.settings.fields import SettingsError
from bot.settings.root import AREAS, Settings, coerce, group_by_area


def load_settings(
    environ: Mapping[str, str] | None = None,
    *,
    config_path: Path | None = None,
    **overrides: Any,
) -> Settings:
    """Read the config file and the environment once; CLI flags come in as overrides, named per area
    (`folders={"data_dir": path}`) or by flat name (`data_dir=path`)."""
    env = os.environ if environ is None else environ
    values: dict[str, dict[str, Any]] = {area: {} for area in AREAS}
    path = _config_file(env, config_path)
    if path is not None:
        for area, named in group_by_area(_read_toml(path), f"configuratiebestand {path}").items():
            values[area].update(named)
    for area, cls in AREAS.items():
        hints = get_type_hints(cls)
        for f in fields(cls):
            raw = env.get(f.metadata["env"])
            if raw is not None:
                values[area][f.name] = coerce(f, hints[f.name], raw)
    settings = Settings(**{area: cls(**values[area]) for area, cls in AREAS.items()})
    return settings.with_overrides(**overrides)


def _config_file(environ: Mapping[str, str], config_path: Path | None) -> Path | None:
    if config_path is not None:
        return config_path
    if environ.get("VRAAGBAAK_CONFIG"):
        return Path(environ["VRAAGBAAK_CONFIG"]).expanduser()
    default = Path("vraagbaak.toml")
    return default if default.is_file() else None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"configuratiebestand {path}: {exc}") from exc


def offline_environment() -> None:
    """Model hubs are never contacted at run time: weights come from local folders only. The one
    place for it (tests/operations/test_network.py proves it): huggingface_hub, transformers and
    sentence-transformers look nothing up offline, and huggingface_hub's telemetry (its only one;
    lancedb 0.40, lance, tqdm, llama-cpp-python, slack_sdk and APScheduler send none) is off also
    where `vraagbaak models pull` turns the hub on for a moment (bot/model_files/hub.py)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("DO_NOT_TRACK", "1")  # the common opt-out, read by hub clients that know it
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    # Idle OpenMP threads sleep instead of spinning: on a busy machine spinning threads made
    # embedding 2x slower (read before torch loads, so it must be set here, at the edge).
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
