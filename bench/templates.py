"""Template generation time on the offline default models; prints one JSON object.

    .venv/bin/python bench/templates.py [--runs 1] [--template brainstorm …] [--data-dir DIR]

Each shipped template is filled with the sample inputs below through the real composition root
(`Services.template_filler`: retrieval over the indexed sample company, the GGUF model, schema-
constrained output, validation, retry). The sample company is indexed into --data-dir first
(a temporary folder by default; an existing index there is brought up to date, not rebuilt).
Per template: wall time per fill (mean, max), prompt and generated tokens, generation speed,
attempts (1 = valid at once), and how many fills gave valid output.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.settings import load_settings, offline_environment  # noqa: E402

offline_environment()

from bot.errors import TemplateError  # noqa: E402
from bot.services import Services  # noqa: E402

SAMPLE = REPO / "knowledge" / "sample"

THREAD = """Marieke: Het nieuwe roosterprogramma gaat per 1 maart live. Iedereen krijgt vooraf een korte training.
Joost: Kunnen we de training ook online doen? Niet iedereen is op kantoor in februari.
Marieke: Ja, we nemen de sessie op en zetten hem op intranet.
Sanne: Wie wordt het aanspreekpunt bij vragen? De ServicePunt of HR?
Marieke: Besloten: HR is aanspreekpunt de eerste maand, daarna ServicePunt.
Joost: En wat doen we met de oude roosters? Nog niet besloten, dat bespreken we volgende week."""

NOTES = """Teamoverleg facilitair, dinsdag.
- Koffieautomaat 2e verdieping is kapot. Ahmed belt de leverancier, uiterlijk vrijdag.
- Nieuwe parkeerregels: Lisa schrijft een bericht voor intranet voor eind van de maand.
- Brandoefening in april: datum nog prikken, Tom stemt af met de BHV'ers.
- Budget vergaderzalen: geen besluit, terug op de agenda."""

INPUTS: dict[str, dict[str, str]] = {
    "brainstorm": {"onderwerp": "minder papier op kantoor", "doel": "duurzamer werken en kosten besparen",
                   "doelgroep": "alle collega's", "aantal": "5"},
    "samenvatting": {"tekst": THREAD, "focus": "besluiten en planning"},
    "nieuwsbericht": {"aanleiding": "kerstbericht aan alle medewerkers",
                      "kernboodschap": "Dank voor ieders inzet dit jaar. "
                                       "Het kantoor is dicht tussen kerst en oud en nieuw."},
    "actiepunten": {"notulen": NOTES, "vergadering": "teamoverleg facilitair"},
}


def fill(services: Services, name: str, runs: int) -> dict:
    template = services.templates.get(name)
    times, prompt, completion, attempts, valid, sources = [], [], [], [], 0, 0
    for _ in range(runs):
        started = time.perf_counter()
        try:
            result = services.template_filler.fill(template, INPUTS[name])
        except TemplateError as exc:
            times.append(time.perf_counter() - started)
            attempts.append(2)
            print(f"{name}: {exc}", file=sys.stderr)
            continue
        times.append(time.perf_counter() - started)
        valid += 1
        prompt.append(result.timings["prompt_tokens"])
        completion.append(result.timings["completion_tokens"])
        attempts.append(result.timings["attempts"])
        sources = len(result.sources)
    generated_s = sum(times)
    return {
        "runs": runs, "valid": valid,
        "seconds_mean": round(statistics.mean(times), 2), "seconds_max": round(max(times), 2),
        "prompt_tokens": round(statistics.mean(prompt)) if prompt else None,
        "completion_tokens": round(statistics.mean(completion)) if completion else None,
        "tokens_per_s": round(sum(completion) / generated_s, 1) if completion else None,
        "attempts_mean": round(statistics.mean(attempts), 2), "sources": sources,
        "retrieval": template.retrieval is not None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="fills per template")
    parser.add_argument("--template", action="append", dest="templates", choices=sorted(INPUTS))
    parser.add_argument("--data-dir", type=Path, help="folder for the sample index (default: a temporary one)")
    parser.add_argument("--threads", type=int, default=0,
                        help="model threads (0: all cores; 1 is much faster on a machine busy with other work)")
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="bench-templates-"))
    settings = load_settings(environ={}, config_path=None, data_dir=data_dir, models_dir=data_dir / "models",
                             sources={"bedrijf": SAMPLE}, n_threads=args.threads, n_threads_batch=args.threads)
    services = Services(settings)
    try:
        started = time.perf_counter()
        services.indexer.reindex(SAMPLE, collection="bedrijf")
        index_s = time.perf_counter() - started
        services.engine.retrieve("opwarmen")  # loads the embedding model and the model before timing
        results = {name: fill(services, name, args.runs) for name in (args.templates or INPUTS)}
        print(json.dumps({"model": services.generator.model_name, "n_ctx": services.generator.n_ctx,
                          "threads": settings.llm.threads, "index_s": round(index_s, 1),
                          "templates": results}, indent=2))
    finally:
        services.close()


if __name__ == "__main__":
    main()
