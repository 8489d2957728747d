"""`make bench`: sohoa, raw tesseract and ocrmypdf on the same generated pages, measured in one run.

Prints seconds/page, pages/minute, CPU and CER for each, then the ratios the targets are stated in.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.metrics import cer, word_error
from samples.generate import Truth, write_corpus

ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}
SOHOA = str(Path(sys.executable).with_name("sohoa"))


@dataclass
class Run:
    """One contender's numbers on the corpus."""

    name: str
    pages: int
    wall_s: float
    cpu_s: float
    cers: list[float]
    word_errors: list[float]
    tesseract_cpu_s: float | None = None
    skew_errors: list[float] = field(default_factory=list)
    rotation_ok: list[bool] = field(default_factory=list)
    read_to_orient: list[bool] = field(default_factory=list)
    read_signer_again: list[bool] = field(default_factory=list)
    read_lines_again: list[bool] = field(default_factory=list)

    @property
    def pages_per_minute(self) -> float:
        return 60 * self.pages / self.wall_s

    @property
    def mean_cer(self) -> float:
        return statistics.fmean(self.cers) if self.cers else float("nan")

    @property
    def mean_word_error(self) -> float:
        return statistics.fmean(self.word_errors) if self.word_errors else float("nan")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measured(fn: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), children_cpu()
    fn()
    return time.perf_counter() - wall, children_cpu() - cpu


def make_corpus(folder: Path, pages: int, seed: int) -> list[tuple[Path, Truth]]:
    """Half the pages at 300 dpi, half at 200 dpi, as scanners write them (colour JPEG); noisy, skewed up
    to ±7°, a quarter of them turned."""
    for dpi, count in ((300, pages - pages // 2), (200, pages // 2)):
        write_corpus(
            folder / f"{dpi}dpi",
            count,
            seed + dpi,
            dpi=dpi,
            max_skew=7.0,
            quarter_turn_share=0.25,
            noise=0.5,
            formats=("jpg",),
        )
    return [
        (path, Truth.from_json(json.loads(path.with_suffix(".truth.json").read_text())))
        for path in sorted(folder.rglob("*.jpg"))
    ]


def _name(page: Path) -> str:
    """A page's name that stays unique across the 200 and 300 dpi folders."""
    return f"{page.parent.name}-{page.stem}"


def run_parallel(commands: list[list[str]], jobs: int) -> None:
    def one(cmd: list[str]) -> None:
        subprocess.run(cmd, env=ENV, check=True, capture_output=True)

    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(one, commands))


def bench_tesseract(corpus: list[tuple[Path, Truth]], work: Path, jobs: int) -> Run:
    out = work / "tesseract"
    out.mkdir(parents=True)
    cmds = [["tesseract", str(p), str(out / _name(p)), "-l", "vie"] for p, _ in corpus]
    wall, cpu = measured(lambda: run_parallel(cmds, jobs))
    return Run("tesseract -l vie", len(corpus), wall, cpu, *_accuracy(out, corpus), tesseract_cpu_s=cpu)


def bench_ocrmypdf(corpus: list[tuple[Path, Truth]], work: Path, jobs: int) -> Run | None:
    if shutil.which("ocrmypdf") is None:
        print("ocrmypdf is not installed; skipping it (make bench installs it)", file=sys.stderr)
        return None
    out = work / "ocrmypdf"
    out.mkdir(parents=True)
    options = ["-l", "vie", "--deskew", "--rotate-pages", "--jobs", "1", "--output-type", "pdf"]
    cmds = [
        ["ocrmypdf", *options, "--sidecar", str(out / f"{_name(p)}.txt"), str(p), str(out / f"{_name(p)}.pdf")]
        for p, _ in corpus
    ]
    wall, cpu = measured(lambda: run_parallel(cmds, jobs))
    return Run("ocrmypdf --deskew --rotate-pages", len(corpus), wall, cpu, *_accuracy(out, corpus))


def _accuracy(out: Path, corpus: list[tuple[Path, Truth]]) -> tuple[list[float], list[float]]:
    texts = [((out / f"{_name(p)}.txt").read_text(), t.page_text(0)) for p, t in corpus]
    return [cer(text, truth) for text, truth in texts], [word_error(text, truth) for text, truth in texts]


def bench_sohoa(
    corpus: list[tuple[Path, Truth]],
    work: Path,
    workers: int,
    *,
    label: str = "",
    extra_env: dict[str, str] | None = None,
) -> Run:
    name = f"sohoa --workers {workers}{label}"
    run_dir = work / name.replace(" ", "_").replace("-", "")
    pages_dir, export = run_dir / "in", run_dir / "out"
    pages_dir.mkdir(parents=True)
    for path, _ in corpus:
        (pages_dir / f"{_name(path)}{path.suffix}").symlink_to(path.resolve())
    env = {**ENV, "SOHOA_DATA_DIR": str(run_dir / "data"), **(extra_env or {})}
    cmd = [SOHOA, "digitize", str(pages_dir), "--export", str(export), "--workers", str(workers)]
    wall, cpu = measured(lambda: subprocess.run(cmd, env=env, check=True, capture_output=True))
    run = Run(
        name, len(corpus), wall, cpu, [], [], tesseract_cpu_s=_tesseract_cpu(run_dir / "data" / "catalog.sqlite3")
    )
    for path, truth in corpus:
        record = json.loads((export / f"{_name(path)}.json").read_text())
        page = record["pages"][0]
        run.cers.append(cer(record["text"], truth.page_text(0)))
        run.word_errors.append(word_error(record["text"], truth.page_text(0)))
        run.skew_errors.append(abs(page["skew_deg"] - truth.skew_deg))
        run.rotation_ok.append(page["rotation_deg"] == truth.rotation_deg)
        run.read_to_orient.append(page.get("orientation") == "recognition")
        run.read_signer_again.append("signer_block" in page.get("read_again", []))
        run.read_lines_again.append("unread_lines" in page.get("read_again", []))
    return run


def _tesseract_cpu(catalog: Path) -> float:
    with sqlite3.connect(catalog) as db:
        return float(db.execute("SELECT sum(tesseract_cpu_seconds) FROM pages").fetchone()[0] or 0.0)


def report(runs: list[Run]) -> dict[str, float]:
    print(f"\n{'contender':44} {'s/page':>7} {'pages/min':>9} {'CPU s/page':>10} {'CER %':>6} {'words missed %':>14}")
    for r in runs:
        print(
            f"{r.name:44} {r.wall_s / r.pages:7.2f} {r.pages_per_minute:9.1f} {r.cpu_s / r.pages:10.2f} "
            f"{100 * r.mean_cer:6.2f} {100 * r.mean_word_error:14.2f}"
        )
    by_name = {r.name: r for r in runs}
    one, two = by_name.get("sohoa --workers 1"), by_name.get("sohoa --workers 2")
    ratios: dict[str, float] = {}
    if one and two:
        ratios["pages/min, 2 workers ÷ 1 worker (target ≥ 1.8)"] = two.pages_per_minute / one.pages_per_minute
        ratios["CPU per page ÷ tesseract CPU per page, 1 worker (target ≤ 1.25)"] = one.cpu_s / (
            one.tesseract_cpu_s or 1
        )
        ratios["skew error ≤ 0.2° share (target ≥ 0.95)"] = statistics.fmean(e <= 0.2 for e in one.skew_errors)
        ratios["orientation correct share (target 1.0)"] = statistics.fmean(one.rotation_ok)
        ratios["share of pages read again to confirm their way up"] = statistics.fmean(one.read_to_orient)
        ratios["share of pages whose signer's block was read again"] = statistics.fmean(one.read_signer_again)
        ratios["share of pages with unread lines read again"] = statistics.fmean(one.read_lines_again)
        ratios["max skew error, degrees"] = max(one.skew_errors)
    raw, ocrmypdf = by_name.get("tesseract -l vie"), by_name.get("ocrmypdf --deskew --rotate-pages")
    if two and ocrmypdf:
        ratios["pages/min, sohoa ÷ ocrmypdf (target ≥ 2)"] = two.pages_per_minute / ocrmypdf.pages_per_minute
        ratios["CER, sohoa − ocrmypdf, points (target ≤ 0)"] = 100 * (two.mean_cer - ocrmypdf.mean_cer)
    if two and raw:
        ratios["pages/min, sohoa ÷ raw tesseract"] = two.pages_per_minute / raw.pages_per_minute
    print()
    for name, value in ratios.items():
        print(f"{name:70} {value:8.3f}")
    return ratios


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=24)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--work", type=Path, default=Path("bench/results"))
    parser.add_argument(
        "--models",
        nargs="*",
        default=[],
        metavar="LANG[:TESSDATA]",
        help="also run sohoa with these tesseract models, e.g. Vietnamese vie_best:.tessdata",
    )
    parser.add_argument("--only-sohoa", action="store_true", help="skip raw tesseract and ocrmypdf")
    args = parser.parse_args(argv)

    shutil.rmtree(args.work, ignore_errors=True)
    corpus_dir = args.work / "pages"
    corpus = make_corpus(corpus_dir, args.pages, args.seed)
    print(f"{len(corpus)} generated pages in {corpus_dir}: 300 and 200 dpi, skew ≤ ±7°, a quarter turned, noisy")
    runs = [bench_sohoa(corpus, args.work, 1), bench_sohoa(corpus, args.work, 2)]
    if not args.only_sohoa:
        runs.append(bench_tesseract(corpus, args.work, 2))
        runs += [r for r in [bench_ocrmypdf(corpus, args.work, 2)] if r]
    for model in args.models:
        language, _, tessdata = model.partition(":")
        env = {"SOHOA_OCR_LANGUAGE": language, **({"SOHOA_TESSDATA_DIR": tessdata} if tessdata else {})}
        runs.append(bench_sohoa(corpus, args.work, 2, label=f" -l {language}", extra_env=env))
    ratios = report(runs)
    summary = {"runs": [asdict(r) | {"mean_cer": r.mean_cer} for r in runs], "ratios": ratios}
    (args.work / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
