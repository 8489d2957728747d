"""Field accuracy of metadata extraction over generated noisy documents, per field (target ≥ 95 %, 0 invented).

Default run: 42 documents of the usual six kinds at 200 and 300 dpi.  With
``--per-class N`` or ``--classes a,b`` (or ``--by-class``) it runs over the
generator's variation classes instead (samples/variations.py: header gutters,
agency lines, công văn, holders in running text, seal over the signer,
handwritten numbers, margin notes and received stamps, tables, low-resolution
untagged files, low JPEG quality, phone photos, 1-bit CCITT scans) and reports
accuracy per class and per field, invented values, the review rate (share of
records held as needs_review) and how often a field at or above the review
threshold is exactly right.  A field the truth lists as handwritten may be null.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from samples.generate import Truth, write_corpus
from samples.variations import DEFAULT_CLASSES, parse_classes

SOHOA = str(Path(sys.executable).with_name("sohoa"))
REVIEW_THRESHOLD = 0.7  # README "Metadata and review": SOHOA_REVIEW_THRESHOLD


def compare(records: dict[str, dict], truths: dict[str, Truth]) -> tuple[Counter[str], Counter[str], list[str]]:
    """Per-field totals and exact matches, and the fields that were filled although absent."""
    total, exact, invented = Counter[str](), Counter[str](), []
    for stem, truth in truths.items():
        found = records[stem]["metadata"]
        for name, expected in truth.metadata.items():
            total[name] += 1
            exact[name] += found.get(name) == expected
            if expected is None and found.get(name) is not None:
                invented.append(f"{stem}: {name} = {found[name]!r}")
    return total, exact, invented


@dataclass
class Score:
    """What one variation class (or all of them) scored."""

    documents: int = 0
    total: Counter[str] = field(default_factory=Counter)
    exact: Counter[str] = field(default_factory=Counter)
    accepted: Counter[str] = field(default_factory=Counter)  # exact, or null where handwritten
    invented: list[str] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    confident: int = 0  # fields with a value and confidence >= threshold
    confident_right: int = 0

    def add(self, stem: str, record: dict, truth: Truth, threshold: float) -> None:
        """Score one document."""
        self.documents += 1
        self.statuses[record.get("status", "missing")] += 1
        found, confidence = record.get("metadata", {}), record.get("confidence", {})
        for name, expected in truth.metadata.items():
            value = found.get(name)
            self.total[name] += 1
            self.exact[name] += value == expected
            self.accepted[name] += value == expected or (value is None and name in truth.handwritten_fields)
            if expected is None and value is not None:
                self.invented.append(f"{stem}: {name} = {value!r}")
            if value is not None and (confidence.get(name) or 0.0) >= threshold:
                self.confident += 1
                self.confident_right += value == expected

    def merge(self, other: Score) -> None:
        """Add another score into this one."""
        self.documents += other.documents
        for mine, theirs in ((self.total, other.total), (self.exact, other.exact), (self.accepted, other.accepted)):
            mine.update(theirs)
        self.statuses.update(other.statuses)
        self.invented += other.invented
        self.confident += other.confident
        self.confident_right += other.confident_right


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}" if whole else "    -"


def generate_classes(corpus: Path, classes: tuple[str, ...], per_class: int, seed: int) -> None:
    """``per_class`` documents of each class in CORPUS/CLASS (fixed seeds, 300 dpi unless the class says)."""
    for index, name in enumerate(classes):
        write_corpus(
            corpus / name,
            per_class,
            seed + 101 * index,
            dpi=300,
            max_skew=5.0,
            quarter_turn_share=0.2,
            noise=0.5,
            formats=("jpg", "pdf", "tiff"),
            variations=(name,),
        )


def report(scores: dict[str, Score], threshold: float) -> None:
    """Print the per-class summary, the per-field table and the invented values."""
    overall = Score()
    for score in scores.values():
        overall.merge(score)
    fields = list(overall.total)
    print(f"{overall.documents} generated documents in {len(scores)} variation classes")
    print(f"{'class':20} docs  exact%  accept%  invented  review%  held/lost  ≥{threshold:.1f} right%")
    for name, score in [*scores.items(), ("ALL", overall)]:
        total = sum(score.total.values())
        held = score.statuses["needs_review"]
        other = score.documents - held - score.statuses["archived"]  # rejected, failed or not exported
        print(
            f"{name:20} {score.documents:4}  {_pct(sum(score.exact.values()), total)}   "
            f"{_pct(sum(score.accepted.values()), total)}  {len(score.invented):8}  "
            f"{_pct(held, score.documents)}  {held:4}/{other:<4}  "
            f"{_pct(score.confident_right, score.confident)} of {score.confident}"
        )
    print("\nper field, accepted % (exact, or null where handwritten); columns are the classes above:")
    header = " ".join(f"{name[:5]:>5}" for name in scores)
    print(f"  {'field':18} {header}    all")
    for name in fields:
        cells = " ".join(_pct(score.accepted[name], score.total[name]) for score in scores.values())
        print(f"  {name:18} {cells}  {_pct(overall.accepted[name], overall.total[name])}")
    print(f"\ninvented values: {len(overall.invented)} (target 0)")
    for line in overall.invented[:40]:
        print("   ", line)


def run_classes(args: argparse.Namespace) -> int:
    """Generate per variation class, digitize, score and report."""
    classes = parse_classes(args.classes) if args.classes else DEFAULT_CLASSES
    per_class = args.per_class or 6
    shutil.rmtree(args.work, ignore_errors=True)
    corpus = args.work / "scans"
    generate_classes(corpus, classes, per_class, args.seed)
    _digitize(corpus, args.work, strict=False)
    scores: dict[str, Score] = {}
    for name in classes:
        score = scores.setdefault(name, Score())
        for truth_file in sorted((corpus / name).glob("*.truth.json")):
            stem = truth_file.name.removesuffix(".truth.json")
            truth = Truth.from_json(json.loads(truth_file.read_text()))
            exported = args.work / "out" / f"{stem}.json"
            record = json.loads(exported.read_text()) if exported.exists() else {"status": "missing"}
            score.add(stem, record, truth, args.threshold)
    print(f"seed {args.seed}, {per_class} per class; 300 dpi unless the class sets it, skew ≤ ±5°, noise, seal")
    report(scores, args.threshold)
    return 0


def _digitize(corpus: Path, work: Path, *, strict: bool = True) -> None:
    """``sohoa digitize`` the corpus; unless ``strict``, documents that failed are scored, not fatal."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1", "SOHOA_DATA_DIR": str(work / "data")}
    done = subprocess.run(
        [SOHOA, "digitize", str(corpus), "--export", str(work / "out"), "--workers", "2"],
        env=env,
        check=strict,
        capture_output=True,
    )
    if done.returncode and not (work / "out").is_dir():
        raise RuntimeError(f"sohoa digitize exited {done.returncode}: {done.stderr.decode()[-2000:]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=42)
    parser.add_argument("--seed", type=int, default=4545)
    parser.add_argument("--work", type=Path, default=Path("bench/results/fields"))
    parser.add_argument("--by-class", action="store_true", help="run over the variation classes (6 per class)")
    parser.add_argument("--per-class", type=int, help="documents per variation class (implies --by-class)")
    parser.add_argument("--classes", help=f"comma-separated variation classes (default {','.join(DEFAULT_CLASSES)})")
    parser.add_argument("--threshold", type=float, default=REVIEW_THRESHOLD, help="review threshold for confidence")
    args = parser.parse_args(argv)
    if args.by_class or args.per_class or args.classes:
        return run_classes(args)
    shutil.rmtree(args.work, ignore_errors=True)
    corpus = args.work / "scans"
    for dpi, count in ((300, args.documents - args.documents // 2), (200, args.documents // 2)):
        folder = corpus / f"{dpi}dpi"
        write_corpus(
            folder,
            count,
            args.seed + dpi,
            dpi=dpi,
            max_skew=5.0,
            quarter_turn_share=0.2,
            noise=0.5,
            formats=("jpg", "pdf", "tiff"),
        )
        for path in list(folder.iterdir()):  # stems must stay unique across the two folders
            path.rename(folder / f"{dpi}-{path.name}")
    _digitize(corpus, args.work)
    truths, records = {}, {}
    for truth_file in sorted(corpus.rglob("*.truth.json")):
        stem = truth_file.name.removesuffix(".truth.json")
        truths[stem] = Truth.from_json(json.loads(truth_file.read_text()))
        records[stem] = json.loads((args.work / "out" / f"{stem}.json").read_text())
    total, exact, invented = compare(records, truths)
    print(f"{len(truths)} generated documents (6 kinds, 3 fonts, 200/300 dpi, skew ≤ ±5°, noise, seal)")
    for name in total:
        print(f"  {name:20} {exact[name]:3}/{total[name]:3}  {100 * exact[name] / total[name]:6.1f} %")
    print(f"all fields: {100 * sum(exact.values()) / sum(total.values()):.1f} % exact (target ≥ 95 %)")
    print(f"invented values: {len(invented)} (target 0)")
    for line in invented:
        print("   ", line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
