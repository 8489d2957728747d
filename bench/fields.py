"""Field accuracy of metadata extraction over generated noisy documents, per field (target ≥ 95 %, 0 invented)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from samples.generate import Truth, write_corpus

SOHOA = str(Path(sys.executable).with_name("sohoa"))


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=42)
    parser.add_argument("--seed", type=int, default=4545)
    parser.add_argument("--work", type=Path, default=Path("bench/results/fields"))
    args = parser.parse_args(argv)
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
    env = {**os.environ, "OMP_THREAD_LIMIT": "1", "SOHOA_DATA_DIR": str(args.work / "data")}
    subprocess.run(
        [SOHOA, "digitize", str(corpus), "--export", str(args.work / "out"), "--workers", "2"],
        env=env,
        check=True,
        capture_output=True,
    )
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
