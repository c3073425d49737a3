"""`vraagbaak doctor`: is this installation ready to answer questions? Each check says what is
wrong and how to fix it, in Dutch with the English key term, so an admin can act on it."""

from __future__ import annotations

import json
import logging
import struct
import tempfile
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from bot.errors import ModelError
from bot.operations.selftest import SelftestResult, run_selftest
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.indexing.source_runs import SourceRuns

log = logging.getLogger(__name__)

OK, WARN, FAIL, SKIP = "ok", "warn", "fail", "skip"
_LABEL = {OK: "OK   ", WARN: "LET OP", FAIL: "FOUT ", SKIP: "--   "}


@dataclass(frozen=True)
class CheckResult:
    """One check: `status` is ok, warn, fail or skip; `fix` says what to do when it is not ok."""

    key: str
    title: str
    status: str
    detail: str
    fix: str = ""


@dataclass(frozen=True)
class DoctorReport:
    results: list[CheckResult]

    @property
    def ok(self) -> bool:
        return all(r.status != FAIL for r in self.results)

    def result(self, key: str) -> CheckResult:
        return next(r for r in self.results if r.key == key)

    def to_dict(self) -> dict:
        return {"ok": self.ok, "checks": [asdict(r) for r in self.results]}

    def render_text(self) -> str:
        lines = ["Vraagbaak doctor — controle van de installatie (installation check)", ""]
        for r in self.results:
            lines.append(f"  {_LABEL[r.status]}  {r.title}: {r.detail}")
            if r.fix and r.status in (FAIL, WARN):
                lines.append(f"          OPLOSSING (fix): {r.fix}")
        failures = sum(r.status == FAIL for r in self.results)
        warnings = sum(r.status == WARN for r in self.results)
        lines.append("")
        if failures:
            lines.append(f"Resultaat: {failures} fout(en), {warnings} waarschuwing(en) — niet klaar (not ready).")
        else:
            lines.append(f"Resultaat: alles in orde (all good), {warnings} waarschuwing(en).")
        return "\n".join(lines) + "\n"


class Doctor:
    """Runs the checks in order; `load_models=False` checks model files without loading them.

    `selftest` makes one tiny generation with the configured backend (bot/operations/selftest.py: a child
    process for the local model, so a crashing llama.cpp build is reported instead of killing us).
    """

    def __init__(self, settings: Settings, *, load_models: bool = True, check_slack: bool = True,
                 selftest: Callable[[Settings], SelftestResult] = run_selftest,
                 source_runs: "Callable[[], SourceRuns | None] | None" = None) -> None:
        self.settings = settings
        self.source_runs = source_runs  # the sources file's sources, one check each
        self.load_models = load_models
        self.check_slack = check_slack
        self.selftest = selftest
        self._embedder = None  # loaded by check_embedding_model, reused by check_index

    def run(self) -> DoctorReport:
        checks: list[tuple[str, Callable[[], CheckResult]]] = [
            ("tokens", self.check_tokens), ("slack_auth", self.check_slack_auth), ("llm", self.check_llm),
            ("embedding", self.check_embedding_model), ("data_dir", self.check_data_dir),
            ("sources", self.check_sources), ("index", self.check_index),
        ]
        results = []
        for key, check in checks:
            try:
                results.append(check())
            except Exception as exc:  # a check that crashes is a failed check, not a crashed doctor
                log.debug("check %s crashed", key, exc_info=True)
                results.append(CheckResult(key, key, FAIL, f"onverwachte fout: {type(exc).__name__}: {exc}",
                                           "Draai `vraagbaak -v doctor` voor details in het log."))
            if key == "sources":
                results.extend(self.check_remote_sources())
        return DoctorReport(results)

    # --- Slack ------------------------------------------------------------------------------------

    def check_tokens(self) -> CheckResult:
        from bot.slack.transport.serving import resolve_mode

        s, title = self.settings, "Slack-tokens (tokens)"
        mode = resolve_mode(s)
        missing = []
        if not s.slack.bot_token:
            missing.append("SLACK_BOT_TOKEN (bot token, xoxb-…)")
        if mode == "socket" and not s.slack.app_token:
            missing.append("SLACK_APP_TOKEN (app-level token, xapp-…, scope connections:write)")
        if mode == "http" and not s.slack.signing_secret:
            missing.append("SLACK_SIGNING_SECRET (signing secret)")
        if missing:
            return CheckResult("tokens", title, FAIL, f"{mode} mode; ontbreekt (missing): {', '.join(missing)}",
                               "Zet de ontbrekende waarden in het .env-bestand; je vindt ze in de Slack-app "
                               "onder 'OAuth & Permissions', 'Basic Information' en 'App-Level Tokens'.")
        odd = []
        if not s.slack.bot_token.startswith("xoxb-"):
            odd.append("SLACK_BOT_TOKEN begint niet met xoxb-")
        if mode == "socket" and not s.slack.app_token.startswith("xapp-"):
            odd.append("SLACK_APP_TOKEN begint niet met xapp-")
        if odd:
            return CheckResult("tokens", title, WARN, f"{mode} mode; " + "; ".join(odd),
                               "Controleer of de tokens niet verwisseld zijn (bot token xoxb-, app token xapp-).")
        return CheckResult("tokens", title, OK, f"{mode} mode; benodigde tokens aanwezig (present)")

    def check_slack_auth(self) -> CheckResult:
        title = "Slack-verbinding (auth.test)"
        if not self.check_slack:
            return CheckResult("slack_auth", title, SKIP, "overgeslagen (skipped)")
        if not self.settings.slack.bot_token:
            return CheckResult("slack_auth", title, SKIP, "geen bot token, dus niet getest")
        from bot.slack.transport.connection_check import check_auth

        outcome = check_auth(self.settings.slack.bot_token, api_url=self.settings.slack.api_url)
        if outcome.ok:
            return CheckResult("slack_auth", title, OK,
                               f"verbonden als {outcome.user or '?'} in workspace {outcome.team or '?'}")
        fixes = {
            "invalid_auth": "Het bot token is ongeldig: kopieer het opnieuw uit 'OAuth & Permissions'.",
            "not_authed": "Er is geen token meegestuurd: zet SLACK_BOT_TOKEN.",
            "token_revoked": "Het token is ingetrokken: installeer de app opnieuw in de workspace.",
            "account_inactive": "De app of gebruiker is gedeactiveerd: installeer de app opnieuw.",
        }
        fix = fixes.get(outcome.error, "Controleer de netwerkverbinding naar Slack (proxy, firewall) "
                                       "en SLACK_API_URL.")
        return CheckResult("slack_auth", title, FAIL, f"auth.test mislukt (failed): {outcome.error}", fix)

    # --- models -----------------------------------------------------------------------------------

    def check_llm(self) -> CheckResult:
        if self.settings.llm.backend == "openai":
            return self._check_llm_server()
        from bot.model_files.resolving import resolve_llm_model

        title = "Taalmodel (LLM, GGUF)"
        try:
            path = resolve_llm_model(self.settings)
        except ModelError as exc:
            return CheckResult("llm", title, FAIL, str(exc), "Installeer Vraagbaak opnieuw met `pip install -e .`.")
        problem = gguf_problem(path)
        if problem:
            return CheckResult("llm", title, FAIL, problem if str(path) in problem else f"{path}: {problem}",
                               "Voer `vraagbaak models pull` uit, of zet VRAAGBAAK_LLM_MODEL op een geldig "
                               ".gguf-bestand (download opnieuw als het bestand beschadigd is).")
        if not self.load_models:
            return CheckResult("llm", title, OK, f"{path.name}: GGUF-header in orde (niet geladen)")
        result = self.selftest(self.settings)
        if not result.ok:
            return CheckResult("llm", title, FAIL, f"{path.name} laadt niet of genereert niet: {result.detail}",
                               result.fix)
        return CheckResult("llm", title, OK, f"{path.name} geladen (loaded); {result.detail} "
                                             f"(threads {self.settings.llm.threads}/{self.settings.llm.threads_batch})")

    def _check_llm_server(self) -> CheckResult:
        s, title = self.settings, "Taalmodelserver (OpenAI-compatible server)"
        url = s.llm.server_url.rstrip("/") + "/models"
        request = urllib.request.Request(url)
        if s.llm.api_key:
            request.add_header("Authorization", f"Bearer {s.llm.api_key}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                models = [m.get("id", "") for m in json.load(response).get("data", [])]
        except (urllib.error.URLError, OSError, ValueError) as exc:
            return CheckResult("llm", title, FAIL, f"{url} niet bereikbaar (unreachable): {exc}",
                               "Start de modelserver (llama.cpp server of vLLM) en controleer "
                               "VRAAGBAAK_LLM_SERVER_URL (eindigt op /v1) en VRAAGBAAK_LLM_API_KEY.")
        if s.llm.server_model and s.llm.server_model not in models:
            return CheckResult("llm", title, FAIL,
                               f"model '{s.llm.server_model}' niet aangeboden; wel: {', '.join(models) or 'geen'}",
                               "Zet VRAAGBAAK_LLM_SERVER_MODEL op een van de aangeboden modellen.")
        detail = f"{url} bereikbaar; modellen: {', '.join(models) or 'geen'}"
        if not self.load_models:
            return CheckResult("llm", title, OK, detail)
        result = self.selftest(s)
        if not result.ok:
            return CheckResult("llm", title, FAIL, f"{detail}; {result.detail}", result.fix)
        return CheckResult("llm", title, OK, f"{detail}; {result.detail}")

    def check_embedding_model(self) -> CheckResult:
        from bot.model_files.resolving import resolve_embedding_model

        title = "Embeddingmodel (embedding model)"
        try:
            name = resolve_embedding_model(self.settings)
        except ModelError as exc:
            return CheckResult("embedding", title, FAIL, str(exc),
                               "Installeer Vraagbaak opnieuw met `pip install -e .`.")
        if not self.load_models:
            exists = Path(name).exists()
            return CheckResult("embedding", title, OK if exists else WARN,
                               f"{name} {'aanwezig' if exists else 'is geen lokale map'} (niet geladen)",
                               "" if exists else "Voer `vraagbaak models pull` uit; de modelhub is offline.")
        try:
            from knowledge.embeddings import open_embedder

            embedder = open_embedder(name, backend=self.settings.retrieval.embedding_backend)
            vector = embedder.embed_query("Hoeveel vakantiedagen heb ik?")
            self._embedder = embedder
        except Exception as exc:
            log.debug("embedding load failed", exc_info=True)
            return CheckResult("embedding", title, FAIL, f"{name} laadt niet (load failed): {exc}",
                               "Voer `vraagbaak models pull` uit, of zet VRAAGBAAK_EMBEDDING_MODEL op een map "
                               "met een sentence-transformers-model (de modelhub wordt nooit benaderd).")
        return CheckResult("embedding", title, OK, f"{Path(name).name} geladen, dimensie {len(vector)}")

    # --- folders and index ------------------------------------------------------------------------

    def check_data_dir(self) -> CheckResult:
        data_dir, title = self.settings.folders.data_dir, "Datamap (data folder)"
        fix = (f"Maak {data_dir} aan en geef de gebruiker van de bot schrijfrechten "
               f"(bijv. `chown -R vraagbaak: {data_dir}`), of zet VRAAGBAAK_DATA_DIR.")
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=data_dir, prefix=".doctor-"):
                pass
        except OSError as exc:
            return CheckResult("data_dir", title, FAIL,
                               f"{data_dir} niet schrijfbaar (not writable): {exc.strerror or exc}", fix)
        return CheckResult("data_dir", title, OK, f"{data_dir.resolve()} schrijfbaar (writable)")

    def check_sources(self) -> CheckResult:
        from knowledge.formats import SUPPORTED_SUFFIXES
        from knowledge.loaders import find_documents

        title = "Bronnen (sources)"
        if not self.settings.documents.sources:
            return CheckResult("sources", title, FAIL, "geen collecties ingesteld",
                               "Zet VRAAGBAAK_SOURCES, bijv. `hr=/srv/docs/hr,wiki=/srv/wiki`.")
        problems, counts = [], []
        for name, folder in self.settings.documents.sources.items():
            if not folder.is_dir():
                problems.append(f"{name}: map {folder} bestaat niet (folder missing)")
                continue
            try:
                documents = find_documents(folder)
            except OSError as exc:
                problems.append(f"{name}: map {folder} niet leesbaar (not readable): {exc.strerror or exc}")
                continue
            if not documents:
                problems.append(f"{name}: geen ondersteunde bestanden in {folder}")
            counts.append(f"{name}: {len(documents)} bestanden")
        if problems:
            return CheckResult("sources", title, FAIL, "; ".join(problems),
                               "Controleer de paden in VRAAGBAAK_SOURCES en de leesrechten van de bot; "
                               f"ondersteund: {', '.join(sorted(SUPPORTED_SUFFIXES))}.")
        return CheckResult("sources", title, OK, "; ".join(counts))

    def check_remote_sources(self) -> list[CheckResult]:
        """One line per source of the sources file: its credentials accepted and its host reachable."""
        from bot.errors import VraagbaakError
        from knowledge.errors import KnowledgeError

        if self.source_runs is None:
            return []
        try:
            runs = self.source_runs()
        except VraagbaakError as exc:
            return [CheckResult("sources_file", "Bronnenbestand (sources file)", FAIL, str(exc),
                                "Zie docs/features/sources.md voor de vorm van het bestand.")]
        if runs is None:
            return []
        results = []
        for name, config in runs.configs.items():
            key, title = f"source:{name}", f"Bron {name} ({config.kind}, {config.host})"
            last = runs.state(name).last_sync or "nog nooit"
            try:
                runs.check(name)
            except KnowledgeError as exc:
                results.append(CheckResult(key, title, FAIL, str(exc),
                                           "Controleer de inloggegevens en het adres in het bronnenbestand, en of "
                                           "deze machine de bron kan bereiken (proxy, firewall)."))
            except Exception as exc:
                log.debug("check of source %s crashed", name, exc_info=True)
                results.append(CheckResult(key, title, FAIL, f"onverwachte fout: {type(exc).__name__}: {exc}",
                                           "Draai `vraagbaak -v doctor` voor details in het log."))
            else:
                results.append(CheckResult(key, title, OK, f"bereikbaar, inloggegevens geaccepteerd; collectie "
                                                            f"{config.collection}; laatste synchronisatie {last}"))
        return results

    def check_index(self) -> CheckResult:
        """Is there an index, with chunks, built with the embedding model in use?"""
        from bot.indexing.index_store import open_index
        from knowledge.errors import EmbeddingModelMismatchError, IndexUnreachableError
        from knowledge.index.schema import TABLE, ModelInfo

        location, title = self.settings.folders.index_location, "Index (LanceDB)"
        fix = "Voer `vraagbaak index` uit (of wacht op de geplande herindexering)."
        try:
            store = open_index(self.settings)
            problems = store.damage()
        except IndexUnreachableError as exc:
            return CheckResult("index", title, FAIL, str(exc),
                               "Zet VRAAGBAAK_INDEX_S3_ENDPOINT, _REGION, _ACCESS_KEY_ID en _SECRET_ACCESS_KEY "
                               "(docs/scale-out.md).")
        except Exception as exc:
            log.debug("index unreadable", exc_info=True)
            return CheckResult("index", title, FAIL, f"{location} niet leesbaar (not readable): {exc}",
                               fix + " Controleer bij object storage (s3://…) de toegangsgegevens.")
        if problems:
            return CheckResult(
                "index", title, FAIL,
                f"tabel '{TABLE}' in {location} is beschadigd (damaged): " + "; ".join(map(str, problems)),
                "Voer `vraagbaak index --full` uit: de beschadigde tabel wordt verwijderd en uit de bronmappen "
                "opnieuw opgebouwd (repair). Tot dan zegt Vraagbaak bij elke vraag dat de index opnieuw "
                "moet worden opgebouwd.")
        try:
            stats = store.stats()
        except Exception as exc:
            log.debug("index unreadable", exc_info=True)
            return CheckResult("index", title, FAIL, f"{location} niet leesbaar (not readable): {exc}",
                               "Voer `vraagbaak index --full` uit om de index opnieuw op te bouwen.")
        if not stats.get("chunks"):
            return CheckResult("index", title, WARN, f"{location}: nog leeg (empty)", fix)
        detail = f"{stats['documents']} documenten, {stats['chunks']} chunks, model {stats['embedding_model']}"
        rebuild = "Voer `vraagbaak index --full` uit om de index met het huidige model opnieuw op te bouwen."
        if self._embedder is not None:
            try:
                store.check_model(ModelInfo(self._embedder.name, self._embedder.dimension))
            except EmbeddingModelMismatchError as exc:
                return CheckResult("index", title, FAIL, f"{exc} (embedding model mismatch)", rebuild)
        elif stats.get("embedding_model"):
            from bot.model_files.resolving import resolve_embedding_model
            from knowledge.embeddings import model_name

            if model_name(Path(resolve_embedding_model(self.settings))) != str(stats["embedding_model"]):
                return CheckResult("index", title, WARN, detail + "; mogelijk een ander model dan ingesteld",
                                   rebuild)
        return CheckResult("index", title, OK, detail)


def gguf_problem(path: Path) -> str | None:
    """Why `path` is not a usable GGUF file, or None when it looks complete."""
    from bot.model_files.checks import check_gguf_file

    try:
        check_gguf_file(path)  # present, GGUF magic, size as pulled
        with path.open("rb") as handle:
            header = handle.read(24)
    except ModelError as exc:
        return str(exc)
    except OSError as exc:
        return f"niet leesbaar (not readable): {exc.strerror or exc}"
    if len(header) < 24:
        return "GGUF-header onvolledig (truncated file)"
    version, tensors, _kv = struct.unpack("<IQQ", header[4:24])
    if version not in (2, 3):
        return f"GGUF-versie {version} wordt niet ondersteund"
    if tensors == 0:
        return "GGUF-bestand zonder tensors (incomplete file)"
    return None
