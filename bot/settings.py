"""Vraagbaak settings: one frozen object, and the only reader of the environment and config files.

Precedence, lowest first: the defaults below, a TOML file (``VRAAGBAAK_CONFIG``, else
``vraagbaak.toml`` in the working directory when present), environment variables, CLI flags.
Every field carries its environment variable and meaning in its metadata; the README's
configuration reference is generated from them (``vraagbaak config --markdown``).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping, get_type_hints


# The named language-model profiles of `vraagbaak models pull --profile` (bot/model_files/profiles.py PROFILES).
LLM_PROFILES = ("standaard", "klein", "gpu", "mistral7b")


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message names the setting."""


def _setting(default: Any, env: str, help: str, *, secret: bool = False) -> Any:
    meta = {"env": env, "help": help, "secret": secret}
    if isinstance(default, (dict, list)):
        return field(default_factory=lambda d=default: type(d)(d), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class Settings:
    """Everything Vraagbaak can be configured with. Build with :func:`load_settings`."""

    # --- folders -------------------------------------------------------------------------
    data_dir: Path = _setting(
        Path("data"), "VRAAGBAAK_DATA_DIR",
        "Folder for the index, feedback, caches and run state (CLI: --data-dir).")
    index_uri: str = _setting(
        "", "VRAAGBAAK_INDEX_URI",
        "LanceDB location. Empty: <data_dir>/index. May be an object-storage URI (s3://…, gs://…, az://…).")
    models_dir: Path = _setting(
        Path("models"), "VRAAGBAAK_MODELS_DIR",
        "Folder that `vraagbaak models pull` downloads the production models into.")
    hf_endpoint: str = _setting(
        "https://huggingface.co", "HF_ENDPOINT",
        "Hugging Face hub (or mirror) that `vraagbaak models pull` downloads from.")
    sources: dict[str, Path] = _setting(
        {"bedrijf": Path("knowledge/sample")}, "VRAAGBAAK_SOURCES",
        "Document collections to index, as name=folder pairs separated by commas "
        "(e.g. `hr=/srv/docs/hr,wiki=/srv/wiki`).")
    sources_file: Path | None = _setting(
        None, "VRAAGBAAK_SOURCES_FILE",
        "TOML file with the SharePoint/OneDrive, Nextcloud and WebDAV sources, each with its kind, credentials "
        "and collection (docs/features/sources.md). It holds their secrets, so it must be readable by its owner "
        "only (chmod 600).")
    permission_sync_minutes: int = _setting(
        10, "VRAAGBAAK_PERMISSION_SYNC_MINUTES",
        "Minutes between permission-only syncs of the sources: who may read each document is read again "
        "(nothing downloaded or embedded), so a revoked share counts within this time. 0: off.")
    reader_cache_seconds: int = _setting(
        300, "VRAAGBAAK_READER_CACHE_SECONDS",
        "How long an asker's e-mail address and source groups are kept before they are asked again.")
    templates_dir: Path | None = _setting(
        None, "VRAAGBAAK_TEMPLATES_DIR",
        "Extra folder with template files (*.toml) next to the shipped templates.")

    # --- retrieval -------------------------------------------------------------------------
    embedding_model: str = _setting(
        "auto", "VRAAGBAAK_EMBEDDING_MODEL",
        "Embedding model: a packaged one by name (`multilingual-e5-small-q4`, `all-MiniLM-L6-v2`), or a "
        "sentence-transformers model name or folder. `auto`: the pulled multilingual model when present in "
        "models_dir, else the packaged multilingual-e5-small-q4 (offline default; Dutch and English).")
    embedding_batch_size: int = _setting(
        32, "VRAAGBAAK_EMBEDDING_BATCH_SIZE", "Chunks per embedding batch.")
    embedding_backend: str = _setting(
        "torch", "VRAAGBAAK_EMBEDDING_BACKEND",
        "sentence-transformers backend: torch, onnx or openvino.")
    chunk_tokens: int = _setting(
        350, "VRAAGBAAK_CHUNK_TOKENS", "Target chunk size in tokens of the embedding model.")
    chunk_overlap_tokens: int = _setting(
        40, "VRAAGBAAK_CHUNK_OVERLAP_TOKENS", "Tokens repeated between consecutive chunks of one section.")
    search_mode: str = _setting(
        "hybrid", "VRAAGBAAK_SEARCH_MODE", "Default search mode: hybrid, vector or fts.")
    top_k: int = _setting(6, "VRAAGBAAK_TOP_K", "Passages retrieved per question.")
    min_relevance: float = _setting(
        -1.0, "VRAAGBAAK_MIN_RELEVANCE",
        "Relevance below which Vraagbaak says the documents do not answer the question. "
        "-1: the calibrated default for the embedding model in use.")
    reranker: str = _setting(
        "auto", "VRAAGBAAK_RERANKER",
        "Cross-encoder that reorders the best candidates before the top k is taken (sentence-transformers "
        "folder or name). `auto`: the pulled mmarco-mMiniLMv2 cross-encoder when present in models_dir, else "
        "off. Empty or `off`: no reranking.")
    rerank_depth: int = _setting(
        20, "VRAAGBAAK_RERANK_DEPTH",
        "Candidates the reranker reads per question (each one is a question+passage pair through the "
        "cross-encoder: the cost grows with this number).")
    channel_collections: dict[str, list[str]] = _setting(
        {}, "VRAAGBAAK_CHANNEL_COLLECTIONS",
        "Per Slack channel, the collections it may search, as `C0123=hr+it;C0456=wiki`. "
        "Channels not listed search all collections.")
    dm_collections: list[str] = _setting(
        [], "VRAAGBAAK_DM_COLLECTIONS",
        "Collections searched in direct messages, comma-separated. Empty: all collections.")
    # Restricted collections fail closed: never searched unless allowed here (issue 13, point 3).
    restricted_collections: list[str] = _setting(
        [], "VRAAGBAAK_RESTRICTED_COLLECTIONS",
        "Collections searched only where explicitly allowed, comma-separated (e.g. `hr-vertrouwelijk`): in a "
        "channel that lists them in VRAAGBAAK_CHANNEL_COLLECTIONS, and in the direct messages of the users in "
        "VRAAGBAAK_RESTRICTED_ACCESS. Everywhere else never, also where all collections would be searched.")
    restricted_access: dict[str, list[str]] = _setting(
        {}, "VRAAGBAAK_RESTRICTED_ACCESS",
        "Who may search a restricted collection in direct messages (questions, /vraag and templates there), as "
        "`collectie=U0HR1+U0HR2+S0HRGROUP;andere=U0CFO`: Slack user ids (U…, W…) and user group ids (S…; their "
        "members are read with usergroups.users.list, re-read after 5 minutes). DM_COLLECTIONS never grants one.")

    # --- language model --------------------------------------------------------------------
    llm_backend: str = _setting(
        "local", "VRAAGBAAK_LLM_BACKEND",
        "`local`: load the GGUF model in this process. `openai`: use an OpenAI-compatible server.")
    llm_profile: str = _setting(
        "standaard", "VRAAGBAAK_LLM_PROFILE",
        "Language-model profile that `vraagbaak models pull` fetches and `auto` loads: `standaard` "
        "(Ministral 3 8B, 8+ CPU cores), `klein` (Ministral 3 3B, small machines), `gpu` (Mistral Small 3.2 "
        "24B, one GPU) or `mistral7b` (Mistral 7B v0.3, the earlier default). `vraagbaak models list` shows them.")
    llm_model: str = _setting(
        "auto", "VRAAGBAAK_LLM_MODEL",
        "GGUF file. `auto`: the profile's model when pulled into models_dir (else one pulled for another "
        "profile), else the packaged SmolLM2-135M-Instruct (offline default).")
    llm_server_url: str = _setting(
        "", "VRAAGBAAK_LLM_SERVER_URL",
        "Base URL of the OpenAI-compatible server (e.g. http://llm:8080/v1) when llm_backend=openai.")
    llm_server_model: str = _setting(
        "", "VRAAGBAAK_LLM_SERVER_MODEL", "Model name sent to the OpenAI-compatible server.")
    llm_api_key: str = _setting(
        "", "VRAAGBAAK_LLM_API_KEY", "API key for the OpenAI-compatible server, if it needs one.",
        secret=True)
    llm_server_parallel: int = _setting(
        0, "VRAAGBAAK_LLM_SERVER_PARALLEL",
        "Requests this bot has in flight at the OpenAI-compatible server at once; more wait here in "
        "line. 0: as many as the server has slots (llama.cpp's --parallel, read from the server), "
        "else 4.")
    n_ctx: int = _setting(4096, "VRAAGBAAK_N_CTX", "Context window of the model in tokens.")
    n_threads: int = _setting(
        0, "VRAAGBAAK_N_THREADS", "Threads for generation. 0: all cores.")
    n_threads_batch: int = _setting(
        0, "VRAAGBAAK_N_THREADS_BATCH", "Threads for prompt processing. 0: all cores.")
    prefix_states: int = _setting(
        4, "VRAAGBAAK_PREFIX_STATES",
        "Saved KV-cache snapshots of shared prompt beginnings (Dutch and English instructions, "
        "templates), so switching between them does not re-evaluate the instructions. A snapshot "
        "costs ~130 KB per token for Mistral-7B: ~45 MB for the instructions, at most ~130 MB. 0: off.")
    prompt_lookup: int = _setting(
        0, "VRAAGBAAK_PROMPT_LOOKUP",
        "Prompt-lookup decoding: tokens guessed ahead from the passages per step and checked in one batch "
        "(llama-cpp-python LlamaPromptLookupDecoding; 2 is its advice for CPUs). 0: off, the default: on CPU "
        "1.2x generation speed at best, and greedy answers are not token-for-token the same (bench/README.md "
        "\"Prompt-lookup decoding\").")
    n_gpu_layers: int = _setting(
        0, "VRAAGBAAK_N_GPU_LAYERS", "Layers offloaded to a GPU (needs a GPU build of llama.cpp); -1: all.")
    context_budget_tokens: int = _setting(
        240, "VRAAGBAAK_CONTEXT_BUDGET_TOKENS",
        "Tokens of document text put into a prompt: the selected sentences (VRAAGBAAK_SENTENCE_SELECTION), "
        "or whole passages without it (then 1000 was the default). Smaller means a faster first token on a "
        "CPU (bench/README.md: 240 selected tokens cited the gold document as often as 1000 whole-passage "
        "tokens, with half the prompt).")
    sentence_selection: bool = _setting(
        True, "VRAAGBAAK_SENTENCE_SELECTION",
        "Put only the sentences of the retrieved passages that answer the question into the prompt "
        "(with their list lead-ins, table headers and neighbours), and show the best one at once as a "
        "quote. false: whole passages, as many as fit in the budget.")
    max_tokens: int = _setting(400, "VRAAGBAAK_MAX_TOKENS", "Most tokens generated for one answer.")
    temperature: float = _setting(0.2, "VRAAGBAAK_TEMPERATURE", "Sampling temperature.")
    top_p: float = _setting(0.9, "VRAAGBAAK_TOP_P", "Nucleus sampling cut-off.")
    repeat_penalty: float = _setting(1.1, "VRAAGBAAK_REPEAT_PENALTY", "Penalty on repeated tokens.")
    answer_cache_size: int = _setting(
        256, "VRAAGBAAK_ANSWER_CACHE_SIZE", "Answers kept for repeated questions (0: off).")

    # --- slack -------------------------------------------------------------------------------
    slack_bot_token: str = _setting(
        "", "SLACK_BOT_TOKEN", "Bot token (xoxb-…).", secret=True)
    slack_app_token: str = _setting(
        "", "SLACK_APP_TOKEN", "App-level token (xapp-…) for Socket Mode.", secret=True)
    slack_signing_secret: str = _setting(
        "", "SLACK_SIGNING_SECRET", "Signing secret, for HTTP mode.", secret=True)
    slack_api_url: str = _setting(
        "", "SLACK_API_URL", "Slack Web API base URL. Empty: https://slack.com/api/.")
    slack_mode: str = _setting(
        "auto", "VRAAGBAAK_SLACK_MODE",
        "`socket`, `http`, or `auto` (socket when SLACK_APP_TOKEN is set).")
    http_port: int = _setting(3000, "VRAAGBAAK_HTTP_PORT", "Port for HTTP mode (CLI: --port).")
    admin_user_ids: list[str] = _setting(
        [], "VRAAGBAAK_ADMIN_USER_IDS",
        "Slack user IDs allowed to run admin commands, comma-separated (workspace admins and owners always are).")

    # --- colleague features ------------------------------------------------------------------
    # Issue 16: follow-ups in threads, the AI notice at first contact, "Vraag een collega".
    follow_up_days: int = _setting(
        7, "VRAAGBAAK_FOLLOW_UP_DAYS",
        "In a channel thread where Vraagbaak answered someone, that person's later replies (and replies that "
        "start with Vraagbaak's name) are answered without a new @mention for this many days after its last "
        "answer there. 0: only @mentions are answered.")
    ai_notice: str = _setting(
        ":information_source: Goed om te weten: Vraagbaak is een AI-assistent. Het antwoordt automatisch uit de "
        "eigen documenten van het bedrijf, met een taalmodel op onze eigen servers. Antwoorden kunnen fout zijn: "
        "de genoemde bronnen zijn leidend. Deze melding zie je één keer.",
        "VRAAGBAAK_AI_NOTICE",
        "The notice each person gets once, the first time Vraagbaak answers them (EU AI Act art. 50(1)), in "
        "Slack mrkdwn. Empty: no notice (only where people are told in another way).")
    ai_notice_en: str = _setting(
        ":information_source: Good to know: Vraagbaak is an AI assistant. It answers automatically from the "
        "company's own documents, with a language model on our own servers. Answers can be wrong: the sources "
        "it names are what counts. You will see this notice once.",
        "VRAAGBAAK_AI_NOTICE_EN", "The same notice for people whose first question is in English.")
    collection_owners: dict[str, list[str]] = _setting(
        {}, "VRAAGBAAK_COLLECTION_OWNERS",
        "Per collection, who owns it, as `hr=U0HR1+S0HRTEAM;it=U0IT`: Slack user ids (U…, W…) and user group ids "
        "(S…). Besides the admins, they may make a curated answer of Vraagbaak's answer from their collection (the "
        "⋮ menu of the answer → \"Maak vast antwoord\"); it is theirs, and they hear when a source changes.")
    escalation_channels: dict[str, str] = _setting(
        {}, "VRAAGBAAK_ESCALATION_CHANNELS",
        "Per collection, the Slack channel (id, C… or G…) where \"Vraag een collega\" posts a question with "
        "Vraagbaak's answer and sources, as `hr=C0HRVRAGEN,it=C0ITHELP`; `*=C0…` for every other collection. "
        "A collection without a channel gets no button (Vraagbaak must be a member of the channel).")

    # --- scheduling --------------------------------------------------------------------------
    reindex_cron: str = _setting(
        "*/15 * * * *", "VRAAGBAAK_REINDEX_CRON",
        "Cron expression for incremental re-indexing (5 crontab fields, or 6 with seconds first); empty: off.")
    consistency_cron: str = _setting(
        "0 2 * * *", "VRAAGBAAK_CONSISTENCY_CRON", "Cron expression for the nightly full consistency check; empty: off.")
    reindex_when_busy: str = _setting(
        "refuse", "VRAAGBAAK_REINDEX_WHEN_BUSY",
        "When a re-index is asked for while one runs: `refuse` (say so) or `wait`.")
    misfire_grace_seconds: int = _setting(
        300, "VRAAGBAAK_MISFIRE_GRACE_SECONDS", "How late a missed scheduled run may still start.")
    timezone: str = _setting("Europe/Amsterdam", "VRAAGBAAK_TIMEZONE", "Time zone of the cron expressions.")
    purge_cron: str = _setting(
        "30 3 * * *", "VRAAGBAAK_PURGE_CRON",
        "Cron expression for the daily privacy purge: stored answers and votes older than retention_days "
        "are deleted (deploy/PRIVACY.md); empty: off (they still go on every write and at start).")
    gaps_digest_cron: str = _setting(
        "0 9 * * 1", "VRAAGBAAK_GAPS_DIGEST_CRON",
        "Cron expression for the digest of what the documents are missing (declined and 👎 questions, grouped), "
        "sent to the admins; empty: off.")
    gaps_digest_days: int = _setting(
        7, "VRAAGBAAK_GAPS_DIGEST_DAYS", "Days of questions the gaps digest covers.")
    keep_old_versions_seconds: int = _setting(
        600, "VRAAGBAAK_KEEP_OLD_VERSIONS_SECONDS",
        "How long a superseded index version stays on disk, so a question still being answered from it "
        "is never broken; older versions are removed by the clean-up after every re-index.")

    # --- curated answers ------------------------------------------------------------------------
    curated_answers: bool = _setting(
        True, "VRAAGBAAK_CURATED_ANSWERS",
        "Serve curated answers (`vraagbaak answers add`) to questions close enough to theirs, without the model.")
    curated_min_similarity: float = _setting(
        -1.0, "VRAAGBAAK_CURATED_MIN_SIMILARITY",
        "Least cosine similarity of a question to a curated one (after their words agree). Below 0: the value "
        "calibrated for the embedding model (bench/curated.py).")

    # --- operations --------------------------------------------------------------------------
    log_level: str = _setting("INFO", "VRAAGBAAK_LOG_LEVEL", "DEBUG, INFO, WARNING or ERROR.")
    log_json: bool = _setting(False, "VRAAGBAAK_LOG_JSON", "Write logs as JSON lines.")
    metrics_port: int = _setting(
        0, "VRAAGBAAK_METRICS_PORT", "Port for Prometheus metrics; 0: off.")

    # --- privacy and hostile files -------------------------------------------------------------
    pseudonymise_users: bool = _setting(
        True, "VRAAGBAAK_PSEUDONYMISE_USERS",
        "Store a keyed hash (HMAC-SHA256) of Slack user ids in the feedback store instead of the ids "
        "themselves (deploy/PRIVACY.md). Off only with a reason the privacy officer agrees with.")
    pseudonym_key: str = _setting(
        "", "VRAAGBAAK_PSEUDONYM_KEY",
        "Secret key of the user-id hash. Empty: a random key generated once in <data_dir>/pseudonym.key "
        "(permissions 0600).", secret=True)
    retention_days: int = _setting(
        90, "VRAAGBAAK_RETENTION_DAYS",
        "Days that stored answers and votes are kept; older ones are deleted when the bot starts, on every "
        "write, before every export and by `vraagbaak privacy purge`. 0: kept until deleted by hand.")
    max_file_mb: int = _setting(
        50, "VRAAGBAAK_MAX_FILE_MB", "Source files larger than this are skipped unread (0: no limit).")
    max_unpacked_mb: int = _setting(
        300, "VRAAGBAAK_MAX_UNPACKED_MB",
        "Zip-based office files (docx, xlsx, pptx, odt, ods, odp) that would unpack to more than this are "
        "skipped before parsing (zip bombs; 0: no limit).")
    max_pdf_pages: int = _setting(
        2000, "VRAAGBAAK_MAX_PDF_PAGES", "PDFs with more pages than this are skipped (0: no limit).")

    # --- derived places ------------------------------------------------------------------------
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
    def ai_notice_path(self) -> Path:
        """Pseudonyms of the people who got the AI notice (bot/slack/features/ai_notice.py)."""
        return self.state_dir / "ai_notice.txt"

    @property
    def greeted_path(self) -> Path:
        """Pseudonyms of the people greeted in the app's Messages tab (bot/people/first_contact.py)."""
        return self.state_dir / "greeted.txt"

    @property
    def pseudonym_key_path(self) -> Path:
        """The generated key of the user-id hash, when pseudonym_key is empty."""
        return self.data_dir / "pseudonym.key"

    @property
    def state_dir(self) -> Path:
        """Run state: re-index reports, locks, answer cache."""
        return self.data_dir / "state"

    @property
    def threads(self) -> int:
        return self.n_threads or (os.cpu_count() or 1)

    @property
    def threads_batch(self) -> int:
        return self.n_threads_batch or (os.cpu_count() or 1)

    def with_overrides(self, **overrides: Any) -> "Settings":
        """A copy with some fields replaced (CLI flags, tests); None values are ignored."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


# --- parsing -------------------------------------------------------------------------------------

def _parse_sources(raw: str) -> dict[str, Path]:
    result: dict[str, Path] = {}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        name, sep, folder = part.partition("=")
        if not sep or not name.strip() or not folder.strip():
            raise SettingsError(f"VRAAGBAAK_SOURCES: '{part}' is not of the form naam=map")
        result[name.strip()] = Path(folder.strip()).expanduser()
    return result


def _parse_name_lists(raw: str, setting: str, form: str) -> dict[str, list[str]]:
    """`key=a+b;key2=c` (commas work as well as `+`) as {key: [a, b], key2: [c]}."""
    result: dict[str, list[str]] = {}
    for part in filter(None, (p.strip() for p in raw.split(";"))):
        key, sep, names = part.partition("=")
        if not sep or not key.strip():
            raise SettingsError(f"{setting}: '{part}' is not of the form {form}")
        result[key.strip()] = [n.strip() for n in names.replace(",", "+").split("+") if n.strip()]
    return result


def _parse_channel_collections(raw: str) -> dict[str, list[str]]:
    return _parse_name_lists(raw, "VRAAGBAAK_CHANNEL_COLLECTIONS", "KANAAL=collectie+collectie")


def _parse_restricted_access(raw: str) -> dict[str, list[str]]:
    return _parse_name_lists(raw, "VRAAGBAAK_RESTRICTED_ACCESS", "collectie=GEBRUIKER+GROEP")


def _parse_collection_owners(raw: str) -> dict[str, list[str]]:
    return _parse_name_lists(raw, "VRAAGBAAK_COLLECTION_OWNERS", "collectie=GEBRUIKER+GROEP")


def _parse_escalation_channels(raw: str) -> dict[str, str]:
    """`hr=C0HR,it=C0IT` (`;` works as well) as {"hr": "C0HR", "it": "C0IT"}."""
    result: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in raw.replace(";", ",").split(","))):
        name, sep, channel = part.partition("=")
        if not sep or not name.strip() or not channel.strip():
            raise SettingsError(f"VRAAGBAAK_ESCALATION_CHANNELS: '{part}' is not of the form collectie=KANAAL")
        result[name.strip()] = channel.strip()
    return result


_SPECIAL_PARSERS = {
    "sources": _parse_sources,
    "channel_collections": _parse_channel_collections,
    "restricted_access": _parse_restricted_access,
    "escalation_channels": _parse_escalation_channels,
    "collection_owners": _parse_collection_owners,
}


def _coerce(name: str, type_: Any, value: Any) -> Any:
    """Turn a value from the environment (str) or TOML (typed) into the field's type."""
    if name in _SPECIAL_PARSERS:
        if isinstance(value, str):
            return _SPECIAL_PARSERS[name](value)
        if name == "sources":
            return {str(k): Path(v).expanduser() for k, v in dict(value).items()}
        if name == "escalation_channels":
            return {str(k): str(v) for k, v in dict(value).items()}
        return {str(k): [str(x) for x in v] for k, v in dict(value).items()}
    type_text = str(type_)
    try:
        if type_ is bool:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in {"1", "true", "yes", "ja", "on"}:
                return True
            if text in {"0", "false", "no", "nee", "off", ""}:
                return False
            raise ValueError(value)
        if type_ is int:
            return int(value)
        if type_ is float:
            return float(value)
        if "Path" in type_text:
            if value in (None, ""):
                return None if "None" in type_text else Path(".")
            return Path(str(value)).expanduser()
        if "list" in type_text:
            if isinstance(value, str):
                return [v.strip() for v in value.split(",") if v.strip()]
            return [str(v) for v in value]
        return str(value)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"setting {name}: cannot use {value!r} ({exc})") from exc


def setting_fields() -> list[tuple[str, Any, Any, str, str, bool]]:
    """(name, type, default, env var, help, secret) for every setting, in declaration order."""
    hints = get_type_hints(Settings)
    rows = []
    for f in fields(Settings):
        default = f.default if f.default is not MISSING else f.default_factory()  # type: ignore[misc]
        rows.append((f.name, hints[f.name], default, f.metadata["env"], f.metadata["help"],
                     f.metadata["secret"]))
    return rows


def _config_file(environ: Mapping[str, str], config_path: Path | None) -> Path | None:
    if config_path is not None:
        return config_path
    if environ.get("VRAAGBAAK_CONFIG"):
        return Path(environ["VRAAGBAAK_CONFIG"]).expanduser()
    default = Path("vraagbaak.toml")
    return default if default.is_file() else None


def load_settings(
    environ: Mapping[str, str] | None = None,
    *,
    config_path: Path | None = None,
    **overrides: Any,
) -> Settings:
    """Read the config file and the environment once; CLI flags come in as overrides."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    hints = get_type_hints(Settings)
    path = _config_file(env, config_path)
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(f"configuratiebestand {path}: {exc}") from exc
        known = {f.name for f in fields(Settings)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise SettingsError(f"configuratiebestand {path}: onbekende instelling(en) {', '.join(unknown)}")
        values.update({k: _coerce(k, hints[k], v) for k, v in data.items()})
    for f in fields(Settings):
        raw = env.get(f.metadata["env"])
        if raw is not None:
            values[f.name] = _coerce(f.name, hints[f.name], raw)
    settings = Settings(**values).with_overrides(**overrides)
    _validate(settings)
    return settings


_CHOICES = {
    "search_mode": {"hybrid", "vector", "fts"},
    "llm_backend": {"local", "openai"},
    "slack_mode": {"auto", "socket", "http"},
    "reindex_when_busy": {"refuse", "wait"},
    "embedding_backend": {"torch", "onnx", "openvino"},
    "log_level": {"DEBUG", "INFO", "WARNING", "ERROR"},
    "llm_profile": set(LLM_PROFILES),
}


def _validate(settings: Settings) -> None:
    for name, allowed in _CHOICES.items():
        value = getattr(settings, name)
        if value not in allowed:
            raise SettingsError(f"setting {name}: '{value}' is not one of {', '.join(sorted(allowed))}")
    for name in ("retention_days", "max_file_mb", "max_unpacked_mb", "max_pdf_pages", "gaps_digest_days",
                 "permission_sync_minutes", "reader_cache_seconds"):
        if getattr(settings, name) < 0:
            raise SettingsError(f"setting {name}: {getattr(settings, name)} must be 0 or more")
    _validate_restricted(settings)
    if not 0 <= settings.prompt_lookup <= 32:
        raise SettingsError(f"setting prompt_lookup: {settings.prompt_lookup} must be 0 (off) to 32 draft tokens")
    _validate_colleague_features(settings)
    if settings.rerank_depth < 1:
        raise SettingsError(f"setting rerank_depth: {settings.rerank_depth} must be at least 1")
    if settings.llm_backend == "openai" and not settings.llm_server_url:
        raise SettingsError("llm_backend=openai needs VRAAGBAAK_LLM_SERVER_URL")


def _validate_restricted(settings: Settings) -> None:
    for name, who in settings.restricted_access.items():
        if name not in settings.restricted_collections:
            raise SettingsError(f"VRAAGBAAK_RESTRICTED_ACCESS: '{name}' is not in VRAAGBAAK_RESTRICTED_COLLECTIONS")
        odd = [w for w in who if w[:1] not in {"U", "W", "S"}]
        if odd:
            raise SettingsError(f"VRAAGBAAK_RESTRICTED_ACCESS: {', '.join(odd)} is no Slack user (U…, W…) "
                                "or user group (S…) id")


def _validate_colleague_features(settings: Settings) -> None:
    odd = [c for c in settings.escalation_channels.values() if c[:1] not in {"C", "G"}]
    if odd:
        raise SettingsError(f"VRAAGBAAK_ESCALATION_CHANNELS: {', '.join(odd)} is no Slack channel id (C… or G…; "
                            "in Slack: the channel's details, at the bottom)")
    for name, who in settings.collection_owners.items():
        odd = [w for w in who if w[:1] not in {"U", "W", "S"}]
        if odd:
            raise SettingsError(f"VRAAGBAAK_COLLECTION_OWNERS: {', '.join(odd)} is no Slack user (U…, W…) or user "
                                f"group (S…) id (collection {name})")
    if settings.follow_up_days < 0:
        raise SettingsError(f"setting follow_up_days: {settings.follow_up_days} must be 0 or more")


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
