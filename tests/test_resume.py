"""A killed `sohoa digitize` loses nothing: running it again finishes every document exactly once."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from samples.generate import make_document
from tests.cluster import wait_until
from tests.processes import ended

SOHOA = str(Path(sys.executable).with_name("sohoa"))


def _pages_done(catalog: Path) -> int:
    if not catalog.exists():
        return 0
    try:
        with sqlite3.connect(catalog, timeout=5) as db:
            return db.execute("SELECT count(*) FROM pages WHERE status = 'done'").fetchone()[0]
    except sqlite3.OperationalError:  # tables not created yet
        return 0


def test_sigkill_mid_batch_then_rerun_archives_each_document_once(tmp_path: Path):
    # Given three scans, one of them two pages long
    scans = tmp_path / "scans"
    scans.mkdir()
    for index, kind in enumerate(("decision", "notice", "certificate")):
        doc = make_document(kind, seed=900 + index, dpi=200, skew_deg=2.0, noise=0.3, pages=2 if index == 1 else 1)
        doc.pages[0].save(scans / f"{kind}.tif", save_all=True, append_images=doc.pages[1:], dpi=(200, 200))
    env = {**os.environ, "SOHOA_DATA_DIR": str(tmp_path / "data")}
    command = [SOHOA, "digitize", str(scans), "--workers", "1", "--json"]
    catalog = tmp_path / "data" / "catalog.sqlite3"

    # When the run is killed with SIGKILL after its first page is done
    first = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    with ended(first):
        wait_until(lambda: _pages_done(catalog) >= 1 or first.poll() is not None, timeout=600, what="a page done")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    done_when_killed = _pages_done(catalog)
    assert 1 <= done_when_killed < 4, "the kill must land mid-batch"

    # Then running the same command again finishes everything
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr
    summary = json.loads(second.stdout)
    assert summary["files"] == 3
    assert summary["archived"] + summary["duplicates"] == 3
    with sqlite3.connect(catalog) as db:
        statuses = db.execute("SELECT status, count(*) FROM documents GROUP BY status").fetchall()
        pages = db.execute("SELECT count(*), sum(status = 'done') FROM pages").fetchone()
    assert statuses == [("archived", 3)]
    assert pages == (4, 4)
    archived = sorted((tmp_path / "data" / "objects" / "archive").rglob("*.pdf"))
    assert len(archived) == 3
    assert not list((tmp_path / "data" / "objects" / "work").rglob("*.jpg"))
