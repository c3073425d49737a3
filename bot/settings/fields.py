"""How one setting is declared (default, environment variable, meaning, checks), and the base of every area."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Callable


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message names the setting."""


def setting(default: Any, env: str, help: str, *, secret: bool = False, choices: tuple[str, ...] = (),
            minimum: float | None = None, maximum: float | None = None,
            parse: Callable[[str], Any] | None = None) -> Any:
    """A dataclass field that knows its environment variable, its meaning and its allowed values.

    `parse` reads the environment's text form of a mapping (e.g. `hr=C0HR,it=C0IT`).
    """
    meta = {"env": env, "help": help, "secret": secret, "choices": choices, "minimum": minimum,
            "maximum": maximum, "parse": parse}
    if isinstance(default, (dict, list)):
        return field(default_factory=lambda d=default: type(d)(d), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class Area:
    """One group of settings. Building one checks every declared choice and bound, then `check()`."""

    def __post_init__(self) -> None:
        for f in fields(self):
            value, meta = getattr(self, f.name), f.metadata
            if meta["choices"] and value not in meta["choices"]:
                raise SettingsError(f"{meta['env']} ({f.name}): '{value}' is not one of "
                                    f"{', '.join(sorted(meta['choices']))}")
            low, high = meta["minimum"], meta["maximum"]
            if (low is not None and value < low) or (high is not None and value > high):
                bounds = f"{low} to {high}" if high is not None else f"{low} or more"
                raise SettingsError(f"{meta['env']} ({f.name}): {value} must be {bounds}")
        self.check()

    def check(self) -> None:
        """Rules between fields of this area; raise SettingsError."""


def parse_name_lists(raw: str, env: str, form: str) -> dict[str, list[str]]:
    """`key=a+b;key2=c` (commas work as well as `+`) as {key: [a, b], key2: [c]}."""
    result: dict[str, list[str]] = {}
    for part in filter(None, (p.strip() for p in raw.split(";"))):
        key, sep, names = part.partition("=")
        if not sep or not key.strip():
            raise SettingsError(f"{env}: '{part}' is not of the form {form}")
        result[key.strip()] = [n.strip() for n in names.replace(",", "+").split("+") if n.strip()]
    return result


def check_slack_ids(env: str, who: dict[str, list[str]], what: str) -> None:
    """Every name is a Slack user (U…, W…) or user group (S…) id."""
    for key, names in who.items():
        odd = [w for w in names if w[:1] not in {"U", "W", "S"}]
        if odd:
            raise SettingsError(f"{env}: {', '.join(odd)} is no Slack user (U…, W…) or user group (S…) id "
                                f"({what} {key})")
