"""The Settings object, one frozen field per area (`settings.retrieval.rerank_depth`), and the names
a setting is given by: `area.name`, or its flat name (the environment variable in lower case without
`VRAAGBAAK_`, as in config files from before the areas)."""

from __future__ import annotations

from dataclasses import MISSING, Field, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping, get_args, get_origin, get_type_hints

from bot.settings.access import Access
from bot.settings.answering import Answering
from bot.settings.colleagues import Colleagues
from bot.settings.documents import Documents
from bot.settings.fields import Area, SettingsError
from bot.settings.folders import Folders
from bot.settings.llm import Llm
from bot.settings.operations import Operations
from bot.settings.privacy import Privacy
from bot.settings.retrieval import Retrieval
from bot.settings.schedule import Schedule
from bot.settings.slack import Slack


@dataclass(frozen=True)
class Settings:
    """Everything Vraagbaak can be configured with, grouped by area. Build with `load_settings`."""

    folders: Folders = field(default_factory=Folders)
    documents: Documents = field(default_factory=Documents)
    access: Access = field(default_factory=Access)
    retrieval: Retrieval = field(default_factory=Retrieval)
    llm: Llm = field(default_factory=Llm)
    answering: Answering = field(default_factory=Answering)
    slack: Slack = field(default_factory=Slack)
    colleagues: Colleagues = field(default_factory=Colleagues)
    schedule: Schedule = field(default_factory=Schedule)
    privacy: Privacy = field(default_factory=Privacy)
    operations: Operations = field(default_factory=Operations)

    def with_overrides(self, **values: Any) -> Settings:
        """A copy with some settings replaced (CLI flags, tests), named as in a config file: per area
        (`retrieval={"top_k": 3}`) or by flat name (`top_k=3`). None values are ignored."""
        grouped = group_by_area(values, "overrides")
        return replace(self, **{area: replace(getattr(self, area), **changed)
                                for area, changed in grouped.items() if changed})


AREAS: dict[str, type[Area]] = {f.name: f.default_factory for f in fields(Settings)}  # type: ignore[misc]


@dataclass(frozen=True)
class SettingField:
    """One setting as the reference describes it."""

    area: str
    name: str
    type: Any
    default: Any
    env: str
    help: str
    secret: bool

    @property
    def flat_name(self) -> str:
        return flat_name(self.env)


def flat_name(env: str) -> str:
    """A setting's name without its area: its environment variable in lower case, without `VRAAGBAAK_`."""
    return env.lower().removeprefix("vraagbaak_")


def setting_fields() -> list[SettingField]:
    """Every setting, area by area, in declaration order."""
    rows = []
    for area, cls in AREAS.items():
        hints = get_type_hints(cls)
        for f in fields(cls):
            default = f.default if f.default is not MISSING else f.default_factory()  # type: ignore[misc]
            rows.append(SettingField(area, f.name, hints[f.name], default, f.metadata["env"],
                                     f.metadata["help"], f.metadata["secret"]))
    return rows


def group_by_area(values: Mapping[str, Any], where: str) -> dict[str, dict[str, Any]]:
    """Settings named per area (`{"retrieval": {"top_k": 3}}`) or by flat name (`{"top_k": 3}`), each
    in its field's type and put in its area; None values are left out, unknown names are an error."""
    flat = {row.flat_name: (row.area, row.name) for row in setting_fields()}
    named: list[tuple[str, str, Any]] = []
    unknown: list[str] = []
    for key, value in values.items():
        if value is None:
            continue
        if key in AREAS and isinstance(value, Mapping):
            known = {f.name for f in fields(AREAS[key])}
            named += [(key, name, v) for name, v in value.items() if name in known]
            unknown += [f"{key}.{name}" for name in value if name not in known]
        elif key in flat:
            named.append((*flat[key], value))
        else:
            unknown.append(key)
    if unknown:
        raise SettingsError(f"{where}: onbekende instelling(en) {', '.join(sorted(unknown))}")
    grouped: dict[str, dict[str, Any]] = {area: {} for area in AREAS}
    for area, name, value in named:
        if value is not None:
            f = next(f for f in fields(AREAS[area]) if f.name == name)
            grouped[area][name] = coerce(f, get_type_hints(AREAS[area])[name], value)
    return grouped


def coerce(f: Field, type_: Any, value: Any) -> Any:
    """A value from the environment (str) or TOML (typed) as the field's type."""
    try:
        if get_origin(type_) is dict:
            if isinstance(value, str):
                return f.metadata["parse"](value)
            _, item_type = get_args(type_)
            if item_type is Path:
                return {str(k): Path(v).expanduser() for k, v in dict(value).items()}
            if get_origin(item_type) is list:
                return {str(k): [str(x) for x in v] for k, v in dict(value).items()}
            return {str(k): str(v) for k, v in dict(value).items()}
        if type_ is bool:
            return _boolean(value)
        if type_ in (int, float):
            return type_(value)
        if Path in (type_, *get_args(type_)):
            if value in (None, ""):
                return None if type(None) in get_args(type_) else Path(".")
            return Path(str(value)).expanduser()
        if get_origin(type_) is list:
            if isinstance(value, str):
                return [v.strip() for v in value.split(",") if v.strip()]
            return [str(v) for v in value]
        return str(value)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{f.metadata['env']} ({f.name}): cannot use {value!r} ({exc})") from exc


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "ja", "on"}:
        return True
    if text in {"0", "false", "no", "nee", "off", ""}:
        return False
    raise ValueError(value)

