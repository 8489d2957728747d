"""A small digitized archive for the fixity and legal-hold tests: two generated scans, one a construction permit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from samples.generate import make_document

SOHOA = str(Path(sys.executable).with_name("sohoa"))
#: Construction permits are kept a century; every other type the default ten years.
RETENTION = {
    "SOHOA_ARCHIVE_RETENTION_DAYS": "3650",
    "SOHOA_ARCHIVE_RETENTION_DAYS_BY_TYPE": '{"giay phep xay dung": 36500}',
}
SCANS = (("decision", 21), ("construction_permit", 5))


def run_sohoa(args: list[str], data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`sohoa ARGS` on the data folder, with the retention settings above."""
    environ = {**os.environ, **RETENTION, "SOHOA_DATA_DIR": str(data_dir), **env}
    return subprocess.run([SOHOA, *args], env=environ, capture_output=True, text=True, timeout=300)


def digitize_archive(folder: Path) -> tuple[Path, dict[str, str]]:
    """Digitize the scans into `folder/data`; the data folder and {kind: document id}."""
    scans = folder / "scans"
    scans.mkdir(parents=True)
    for kind, seed in SCANS:
        make_document(kind, seed=seed, dpi=300, noise=0.2).pages[0].save(scans / f"{kind}.jpg", dpi=(300, 300))
    done = run_sohoa(["digitize", str(scans), "--json"], folder / "data")
    assert done.returncode == 0, done.stderr
    documents = json.loads(done.stdout)["documents"]
    assert [d["status"] for d in documents] == ["archived", "archived"], documents
    ids = {Path(d["file"]).stem: d["id"] for d in documents}
    return folder / "data", ids
