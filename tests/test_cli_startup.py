"""The commands an officer runs often (`--help`, `search`, `report`) load no OCR, imaging or signing library."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("cv2", "numpy", "pyhanko", "pikepdf", "pdf2image", "minio", "dramatiq", "fontTools")


def _loaded_after(code: str) -> list[str]:
    probe = f"import sys\n{code}\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    return done.stdout.split()


def test_help_search_and_report_load_none_of_the_heavy_libraries():
    help_run = "import contextlib, io, sohoa.cli\nwith contextlib.redirect_stdout(io.StringIO()):\n    try:\n"
    help_run += "        sohoa.cli.main(['--help'])\n    except SystemExit:\n        pass"
    assert _loaded_after(help_run) == []
    assert _loaded_after("import sohoa.cli, sohoa.search_command, sohoa.report_command") == []


def test_the_probe_sees_a_heavy_library_when_one_is_loaded():
    assert "cv2" in _loaded_after("import workers.runtime, pipeline.page")
