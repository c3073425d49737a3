"""Where Vraagbaak keeps its files: data, index, model files, extra templates and dictionaries."""

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
    database_url: str = setting(
        "", "VRAAGBAAK_DATABASE_URL",
        "Where feedback, curated answers, first contacts and followed threads are kept (bot/storage). Empty: "
        "one SQLite file per store in the data folder. sqlite:///PATH: every store in that one file. "
        "postgresql://USER:PASSWORD@HOST:5432/DATABASE: every store in that PostgreSQL database (psycopg 3), "
        "shared by every replica.", secret=True)
    index_uri: str = setting(
        "", "VRAAGBAAK_INDEX_URI",
        "LanceDB location. Empty: <data_dir>/index. May be an object-storage URI (s3://…, gs://…, az://…).")
    index_s3_endpoint: str = setting(
        "", "VRAAGBAAK_INDEX_S3_ENDPOINT",
        "S3-compatible store of an s3:// index (MinIO, SeaweedFS, Ceph), as http(s)://host:port. Empty: AWS "
        "itself, or AWS_ENDPOINT.")
    index_s3_region: str = setting(
        "", "VRAAGBAAK_INDEX_S3_REGION", "Region of an s3:// index (most S3-compatible stores accept us-east-1). "
        "Empty: AWS_REGION.")
    index_s3_access_key_id: str = setting(
        "", "VRAAGBAAK_INDEX_S3_ACCESS_KEY_ID", "Access key of an s3:// index. Empty: AWS_ACCESS_KEY_ID, or the "
        "machine's own role.")
    index_s3_secret_access_key: str = setting(
        "", "VRAAGBAAK_INDEX_S3_SECRET_ACCESS_KEY", "Secret of that access key. Empty: AWS_SECRET_ACCESS_KEY.",
        secret=True)
    models_dir: Path = setting(
        Path("models"), "VRAAGBAAK_MODELS_DIR",
        "Folder that `vraagbaak models pull` downloads the production models into.")
    hf_endpoint: str = setting(
        "https://huggingface.co", "HF_ENDPOINT",
        "Hugging Face hub (or mirror) that `vraagbaak models pull` downloads from.")
    templates_dir: Path | None = setting(
        None, "VRAAGBAAK_TEMPLATES_DIR",
        "Extra folder with template files (*.toml) next to the shipped templates.")
    dictionaries_dir: Path = setting(
        Path("/usr/share/dictd"), "VRAAGBAAK_DICTIONARIES_DIR",
        "Folder with FreeDict's Dutch-English dictionaries in the dictd format (Debian's dict-freedict-eng-nld "
        "and dict-freedict-nld-eng put them in /usr/share/dictd): a question in English is searched in Dutch "
        "documents with its words translated, and the reverse. Without them it is searched untranslated.")

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
    def first_contacts_path(self) -> Path:
        """Pseudonyms of the people greeted in the Messages tab or given the AI notice (bot/people/first_contact.py)."""
        return self.state_dir / "first_contacts.sqlite3"

    @property
    def followed_threads_path(self) -> Path:
        """The channel threads followed without a mention (bot/people/followed_threads.py)."""
        return self.state_dir / "followed_threads.sqlite3"

    @property
    def question_queue_path(self) -> Path:
        """Questions written before Slack's envelope is acknowledged (bot/storage/queue.py)."""
        return self.state_dir / "questions.sqlite3"

    @property
    def reindex_lock_path(self) -> Path:
        """The database whose lock "reindex" lets one process or replica re-index at a time."""
        return self.state_dir / "reindex.sqlite3"

    @property
    def ai_notice_path(self) -> Path:
        """Where versions before first_contacts_path kept who got the AI notice (read in once)."""
        return self.state_dir / "ai_notice.txt"

    @property
    def greeted_path(self) -> Path:
        """Where versions before first_contacts_path kept who was greeted (read in once)."""
        return self.state_dir / "greeted.txt"
