"""Faults: a crashing tesseract fails a document and a re-run heals it; a full disk stops the batch cleanly."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from samples.generate import make_document

SOHOA = str(Path(sys.executable).with_name("sohoa"))


def _digitize(paths: list[Path], env: dict[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
    command = [SOHOA, "digitize", *map(str, paths), "--workers", "2", "--json", *extra]
    return subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, timeout=600)


def _crashing_tesseract(tmp_path: Path) -> Path:
    """Answers probes and orientation like tesseract, then crashes on every recognition call."""
    real = shutil.which("tesseract")
    script = tmp_path / "tesseract"
    script.write_text(f"""#!/bin/sh
case "$*" in
  *--version*|*--list-langs*|*"-l osd"*) exec {real} "$@" ;;
esac
echo "Segmentation fault (core dumped)" >&2
exit 139
""")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_a_crashing_tesseract_fails_the_document_and_a_rerun_heals_it(tmp_path: Path):
    # Given a scan and a tesseract that crashes on recognition
    scan = tmp_path / "decision.jpg"
    make_document("decision", seed=11, dpi=200, noise=0.2).pages[0].save(scan, dpi=(200, 200))
    good = tmp_path / "good.jpg"
    make_document("notice", seed=12, dpi=200, noise=0.2).pages[0].save(good, dpi=(200, 200))
    data = {"SOHOA_DATA_DIR": str(tmp_path / "data")}

    # When the batch runs, the page is retried, then the document fails with the reason; exit status 1
    crashed = _digitize([scan], {**data, "SOHOA_TESSERACT_CMD": str(_crashing_tesseract(tmp_path))}, "--export",
                        str(tmp_path / "out"))  # fmt: skip
    assert crashed.returncode == 1, crashed.stderr
    assert "Segmentation fault" in crashed.stderr and "Traceback" not in crashed.stderr  # the cause, in a line
    summary = json.loads(crashed.stdout)
    assert (summary["failed"], summary["archived"]) == (1, 0)
    record = json.loads((tmp_path / "out" / "decision.json").read_text())
    assert record["status"] == "failed"
    assert record["error"]["code"] == "page_failed" and "Segmentation fault" in record["error"]["message"]
    assert "4 attempts" in record["error"]["message"]

    # Then with tesseract fixed, running again retries the failed document and archives it
    healed = _digitize([scan, good], data)
    assert healed.returncode == 0, healed.stderr
    summary = json.loads(healed.stdout)
    assert (summary["archived"], summary["failed"], summary["duplicates"]) == (2, 0, 0)


def test_a_full_disk_stops_with_a_clear_message_and_keeps_what_was_done(tmp_path: Path, tiny_disk: Path):
    small = tmp_path / "small.jpg"
    make_document("notice", seed=5, dpi=200, noise=0.0).pages[0].convert("L").save(small, quality=30)
    big = tmp_path / "big.png"
    make_document("decision", seed=6, dpi=300, noise=1.0).pages[0].save(big)  # ~12 MB of noisy pixels
    assert big.stat().st_size > 3_000_000
    result = _digitize([small, big], {"SOHOA_DATA_DIR": str(tiny_disk / "data")})
    assert result.returncode == 1
    assert "No space left on device" in result.stderr
    assert "Traceback" not in result.stderr
