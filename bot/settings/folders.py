"""Where Vraagbaak keeps its files: data, index, model files and extra templates."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.settings.fields import Area, setting


@dataclass(frozen=True)
class Folders(Area):
    """Folders and places: the data folder, the index, the model files and where they come from."""

    data_dir: Path = setting(
        Path("data"), "VRAAGBAAK_DATA_DIR",
        "Folder for the index, feedback, caches and run state (CLI: --data-dir).")
    index_uri: str = setting(
        "", "VRAAGBAAK_INDEX_URI",
        "LanceDB location. Empty: <data_dir>/index. May be an object-storage URI (s3://…, gs://…, az://…).")
    models_dir: Path = setting(
        Path("models"), "VRAAGBAAK_MODELS_DIR",
        "Folder that `vraagbaak models pull` downloads the production models into.")
    hf_endpoint: str = setting(
        "https://huggingface.co", "HF_ENDPOINT",
        "Hugging Face hub (or mirror) that `vraagbaak models pull` downloads from.")
    templates_dir: Path | None = setting(
        None, "VRAAGBAAK_TEMPLATES_DIR",
        "Extra folder with template files (*.toml) next to the shipped templates.")

    @property
    def index_location(self) -> str:
        """Where LanceDB keeps the chunks table."""
        return self.index_uri or str(self.data_dir / "index")

    @property
    def feedback_path(self) -> Path:
        return self.data_dir / "feedback.sqlite3"

    @property
    def curated_path(self) -> Path:
        return self.data_dir / "curated.sqlite3"

    @property
    def pseudonym_key_path(self) -> Path:
        """The generated key of the user-id hash, when the privacy area's pseudonym_key is empty."""
        return self.data_dir / "pseudonym.key"

    @property
    def state_dir(self) -> Path:
        """Run state: re-index reports, locks, answer cache."""
        return self.data_dir / "state"

    @property
    def ai_notice_path(self) -> Path:
        """Pseudonyms of the people who got the AI notice (bot/slack/features/ai_notice.py)."""
        return self.state_dir / "ai_notice.txt"

    @property
    def greeted_path(self) -> Path:
        """Pseudonyms of the people greeted in the app's Messages tab (bot/people/first_contact.py)."""
        return self.state_dir / "greeted.txt"
