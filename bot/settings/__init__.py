"""Vraagbaak settings: one frozen object grouped by area, read in one place (loader.py).

One module per area (folders, documents, access, retrieval, llm, answering, slack, colleagues,
schedule, privacy, operations); every field carries its environment variable and meaning, and the
configuration reference is generated from them (``vraagbaak config --markdown``).
"""

from bot.settings.access import Access
from bot.settings.answering import Answering
from bot.settings.colleagues import Colleagues
from bot.settings.documents import Documents
from bot.settings.fields import SettingsError
from bot.settings.folders import Folders
from bot.settings.llm import LLM_PROFILES, Llm
from bot.settings.loader import load_settings, offline_environment
from bot.settings.operations import Operations
from bot.settings.privacy import Privacy
from bot.settings.retrieval import Retrieval
from bot.settings.root import AREAS, SettingField, Settings, flat_name, setting_fields
from bot.settings.schedule import Schedule
from bot.settings.slack import Slack

__all__ = [
    "AREAS", "LLM_PROFILES", "Access", "Answering", "Colleagues", "Documents", "Folders", "Llm", "Operations",
    "Privacy", "Retrieval", "Schedule", "SettingField", "Settings", "SettingsError", "Slack", "load_settings",
    "flat_name", "offline_environment", "setting_fields",
]
