"""`vraagbaak index [MAP]`: the documents into the index, all configured collections or one folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.errors import knowledge_errors
from bot.services import Services
from bot.operations.status import not_read_text
from knowledge.models import IndexReport

def register(sub: argparse._SubParsersAction) -> None:
    index = sub.add_parser("index", help="indexeer de documenten (standaard: alle ingestelde bronnen)")
    index.add_argument("source", nargs="?", type=Path, help="map om te indexeren (standaard: alle bronnen)")
    index.add_argument("--collection", help="naam van de collectie")
    index.add_argument("--full", action="store_true", help="alles opnieuw inlezen en inbedden")
    index.set_defaults(func=run_index)


class _ProgressBars:
    """One tqdm bar per collection, on stderr, opened at its first report."""

    def __init__(self) -> None:
        self.bars: dict = {}

    def __call__(self, collection: str, done: int, total: int) -> None:
        from tqdm import tqdm

        if total == 0:
            return
        bar = self.bars.get(collection)
        if bar is None:
            bar = self.bars[collection] = tqdm(total=total, desc=f"inbedden {collection}",
                                               unit="passage", file=sys.stderr, leave=False)
        bar.update(done - bar.n)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


def run_index(args: argparse.Namespace, services: Services) -> int:
    bars = _ProgressBars()
    try:
        with knowledge_errors():
            if args.source is None:
                names = [args.collection] if args.collection else None
                run = services.reindexer.run(names, full=args.full, progress=bars, trigger="cli")
            else:
                name = args.collection or _collection_for(args.source, services)
                run = services.reindexer.run_folder(args.source, collection=name, full=args.full,
                                                    progress=bars, trigger="cli")
    finally:
        bars.close()
    if run.repaired:
        print("De index was beschadigd (" + "; ".join(run.repaired) + "); de tabel is verwijderd en "
              "uit de bronmappen opnieuw opgebouwd.")
    for name, report in run.reports.items():
        print(format_report(name, report))
    for name, reason in run.failures.items():
        print(f"Collectie '{name}': mislukt — {reason}")
    if not run.reports and not run.failures:
        print("Geen bronnen ingesteld (VRAAGBAAK_SOURCES).")
    return 0 if run.ok else 1


def _collection_for(folder: Path, services: Services) -> str:
    """The configured collection whose folder this is, else the folder's name."""
    target = folder.expanduser().resolve()
    for name, configured in services.settings.documents.sources.items():
        if configured.expanduser().resolve() == target:
            return name
    return target.name or "default"


def format_report(collection: str, report: IndexReport) -> str:
    lines = [
        f"Collectie '{collection}'{' (volledig opnieuw opgebouwd)' if report.full_rebuild else ''}: "
        f"{len(report.added)} toegevoegd, {len(report.changed)} gewijzigd, "
        f"{len(report.removed)} verwijderd, {report.unchanged} ongewijzigd, "
        f"{len(report.skipped)} overgeslagen; {report.chunks_embedded} passages ingebed "
        f"in {report.duration_s:.1f} s."
    ]
    for label, names in (("toegevoegd", report.added), ("gewijzigd", report.changed),
                         ("verwijderd", report.removed)):
        if names:
            lines.append(f"  {label}: {', '.join(names)}")
    lines.extend(f"  overgeslagen: {s.path} — {s.reason}" for s in report.skipped)
    if report.not_read:
        lines.append(f"  niet gelezen (bestandstype niet ondersteund): {not_read_text(report.not_read)}")
    return "\n".join(lines)
