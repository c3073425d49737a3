"""How long a scheduled incremental re-index takes: over an unchanged ~1 MB corpus, and over one
with 5 changed files. Prints JSON.

The corpus is generated in a temporary folder (Markdown, Dutch-looking text, headings), indexed once,
then re-indexed through the same `Reindexer.run()` the scheduler calls — lock, hashing, planning,
embedding of what changed, the commit, the full-text index refresh and the clean-up of old versions.

    .venv/bin/python bench/reindex.py [--size-mb 1.0] [--files 200] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.services import Services  # noqa: E402
from bot.settings import load_settings, offline_environment  # noqa: E402

WORDS = ("medewerker verlof aanvraag leidinggevende declaratie thuiswerken laptop wachtwoord vpn "
         "afdeling rooster vergadering kantoor project klant planning budget factuur contract "
         "beleid procedure formulier systeem toegang rechten incident melding veiligheid team "
         "overleg afspraak werkplek reiskosten vergoeding pensioen salaris opleiding cursus "
         "onboarding collega handleiding regeling uitzondering termijn goedkeuring controle").split()
FILLER = "de het een en van in op met voor door bij naar over als dat die is wordt kan moet".split()


def paragraph(rng: random.Random, words: int) -> str:
    out = []
    for i in range(words):
        out.append(rng.choice(WORDS) if i % 3 == 0 else rng.choice(FILLER))
    text = " ".join(out)
    return text[0].upper() + text[1:] + "."


def document(rng: random.Random, number: int, size: int) -> str:
    parts = [f"# Regeling {number}: {rng.choice(WORDS)} en {rng.choice(WORDS)}\n"]
    section = 0
    while sum(len(p) for p in parts) < size:
        section += 1
        parts.append(f"\n## Onderdeel {section}: {rng.choice(WORDS)}\n")
        for _ in range(3):
            parts.append(paragraph(rng, rng.randint(40, 90)) + "\n\n")
    return "".join(parts)


def make_corpus(folder: Path, *, size_mb: float, files: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    per_file = int(size_mb * 1_000_000 / files)
    total = 0
    for number in range(files):
        path = folder / f"afdeling-{number % 10}" / f"regeling-{number:03d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(document(rng, number, per_file), encoding="utf-8")
        total += path.stat().st_size
    return total


def change_files(folder: Path, round_: int, count: int = 5) -> list[str]:
    paths = sorted(folder.rglob("*.md"))
    rng = random.Random(1000 + round_)
    chosen = rng.sample(paths, count)
    for path in chosen:
        with path.open("a", encoding="utf-8") as out:
            out.write(f"\n## Wijziging ronde {round_}\n{paragraph(rng, 60)}\n")
    return [p.name for p in chosen]


def timed_run(services: Services) -> tuple[float, object]:
    started = time.perf_counter()
    report = services.reindexer.run(wait=True)
    return time.perf_counter() - started, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=1.0)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    offline_environment()
    with tempfile.TemporaryDirectory(prefix="vraagbaak-bench-") as tmp:
        root = Path(tmp)
        corpus = root / "corpus"
        corpus_bytes = make_corpus(corpus, size_mb=args.size_mb, files=args.files)
        settings = load_settings(environ={}, config_path=None, data_dir=root / "data",
                                 models_dir=root / "models", sources={"bench": corpus},
                                 reindex_cron="", consistency_cron="")
        services = Services(settings)
        started = time.perf_counter()
        _ = services.embedder
        load_s = time.perf_counter() - started
        initial_s, _ = timed_run(services)
        stats = services.store.stats()
        unchanged = [timed_run(services)[0] for _ in range(args.rounds)]
        changed, embedded, indexing = [], [], []
        for round_ in range(args.rounds):
            change_files(corpus, round_)
            seconds, report = timed_run(services)
            part = report.reports["bench"]
            assert len(part.changed) == 5, part.changed
            changed.append(seconds)
            embedded.append(part.chunks_embedded)
            indexing.append(part.duration_s)  # plan + embed + commit; the rest is lock and clean-up
        print(json.dumps({
            "corpus": {"bytes": corpus_bytes, "files": args.files, "documents": stats["documents"],
                       "chunks": stats["chunks"]},
            "embedding_model_load_s": round(load_s, 2),
            "initial_index_s": round(initial_s, 2),
            "incremental_unchanged_s": {"median": round(statistics.median(unchanged), 3),
                                        "runs": [round(s, 3) for s in unchanged]},
            "incremental_5_changed_s": {"median": round(statistics.median(changed), 3),
                                        "runs": [round(s, 3) for s in changed],
                                        "chunks_embedded": embedded,
                                        "indexing_s": indexing},
            "load_average_1m": round(os.getloadavg()[0], 2),
            "cpu_count": os.cpu_count(),
            "data_dir_bytes": sum(p.stat().st_size for p in (root / "data").rglob("*") if p.is_file()),
        }, indent=2))
        services.close()


if __name__ == "__main__":
    main()
