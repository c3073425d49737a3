"""Re-index timings on a ~1 MB corpus; prints one JSON object.

    .venv/bin/python bench/reindex.py [--copies 2]

The corpus is `copies` copies of knowledge/sample (about 0.56 MB each) in a temporary folder,
indexed once with the offline default embedder and chunking. Then timed: a re-index with nothing
changed (target, issue 2: <= 3 s for 1 MB), and one after editing 5 files.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.settings import load_settings, offline_environment  # noqa: E402

offline_environment()

from bot.services import Services  # noqa: E402
from knowledge.loaders import find_documents  # noqa: E402

SAMPLE = REPO / "knowledge" / "sample"


def build_corpus(root: Path, copies: int) -> int:
    for i in range(copies):
        shutil.copytree(SAMPLE, root / f"kopie-{i + 1}")
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def edit_files(root: Path, count: int) -> list[str]:
    """Appends a paragraph to `count` Markdown/text files."""
    edited = []
    for path in find_documents(root):
        if path.suffix in {".md", ".txt"} and len(edited) < count:
            with path.open("a", encoding="utf-8") as out:
                out.write("\n\nAanvulling: deze regeling is herzien in het voorjaar; vraag HR naar de details.\n")
            edited.append(path.relative_to(root).as_posix())
    return edited


def timed_reindex(services: Services, source: Path) -> tuple[float, object]:
    started = time.perf_counter()
    report = services.indexer.reindex(source, collection="bench")
    return time.perf_counter() - started, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vraagbaak-reindex-") as tmp:
        source = Path(tmp) / "docs"
        size = build_corpus(source, args.copies)
        settings = load_settings(environ={}, config_path=None, data_dir=Path(tmp) / "data",
                                 models_dir=Path(tmp) / "models", sources={"bench": source})
        services = Services(settings)
        services.indexer  # load the model outside the timings
        initial_s, initial = timed_reindex(services, source)
        unchanged_s, unchanged = timed_reindex(services, source)
        edited = edit_files(source, 5)
        changed_s, changed = timed_reindex(services, source)
        print(json.dumps({
            "corpus_bytes": size,
            "documents": len(find_documents(source)),
            "initial": {"seconds": round(initial_s, 2), "chunks_embedded": initial.chunks_embedded},
            "unchanged": {"seconds": round(unchanged_s, 3), "chunks_embedded": unchanged.chunks_embedded,
                          "unchanged": unchanged.unchanged},
            "five_changed": {"seconds": round(changed_s, 2), "changed": len(changed.changed),
                             "chunks_embedded": changed.chunks_embedded, "files": edited},
            "target_unchanged_s": 3.0,
            "unchanged_meets_target": unchanged_s <= 3.0 and size >= 1_000_000,
            "load_average": os.getloadavg()[0],
        }, indent=2))


if __name__ == "__main__":
    main()
