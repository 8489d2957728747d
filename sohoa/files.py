"""The command line's files: which inputs a batch takes, and where its results are exported."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path, PurePath

from schemas.errors import UsageError
from workers.intake import SUPPORTED_SUFFIXES, BatchResult
from workers.runtime import Runtime


class NoInputs(UsageError):
    """Nothing to digitize was found under the given paths."""


def collect_inputs(paths: Iterable[Path], *, skip: Iterable[Path] = ()) -> list[Path]:
    """Files named directly, and every supported file under named folders (but not under `skip`), in order."""
    skipped = [s.resolve() for s in skip]
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in SUPPORTED_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
                and not any(p.resolve().is_relative_to(s) for s in skipped)
            )
        elif path.is_file():
            found.append(path)
        else:
            raise NoInputs(f"no such file or folder: {path}")
    if not found:
        raise NoInputs("no PDF, TIFF, PNG or JPEG files found under " + ", ".join(map(str, paths)))
    return list(dict.fromkeys(found))


def export_results(rt: Runtime, result: BatchResult, out_dir: Path) -> None:
    """Write STEM.json, STEM.xml and (when archived) STEM.pdf for every received file."""
    from pipeline.metadata_xml import record_to_xml

    out_dir.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    for item in result.items:
        stem = _unique_stem(PurePath(item.path.name).stem, used)
        record = result.record_of(item)
        written = [out_dir / f"{stem}.json", out_dir / f"{stem}.xml"]
        write_atomic(written[0], record.model_dump_json(indent=2).encode() + b"\n")
        write_atomic(written[1], record_to_xml(record))
        if record.status == "archived" and record.archive is not None:
            written.append(out_dir / f"{stem}.pdf")
            write_atomic(written[2], rt.store.get_bytes(record.archive.bucket, record.archive.key))
        result.exported[str(item.path)] = written


def _unique_stem(stem: str, used: set[str]) -> str:
    candidate, n = stem, 1
    while candidate.lower() in used:
        n += 1
        candidate = f"{stem}-{n}"
    used.add(candidate.lower())
    return candidate


def write_atomic(path: Path, data: bytes) -> None:
    """Write through a hidden temporary file beside `path`, so a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    tmp.replace(path)
