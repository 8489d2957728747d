"""The commands an officer runs often (`--help`, `search`, `report`) load no OCR, imaging or signing library, and
asked for JSON of a catalog at the newest revision, neither pydantic, rich nor Alembic."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HEAVY = ("cv2", "numpy", "pyhanko", "pikepdf", "pdf2image", "minio", "dramatiq", "fontTools")
#: Libraries a query printed as JSON has no use for: the settings and the catalog's reading need no pydantic,
#: JSON needs no terminal, and a catalog at the newest revision needs no migration.
NOT_FOR_JSON = ("pydantic", "rich", "alembic")


def _loaded_after(code: str, modules: tuple[str, ...] = HEAVY, env: dict[str, str] | None = None) -> list[str]:
    probe = f"import sys\n{code}\nprint(' '.join(m for m in {modules!r} if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60, env=env
    )
    return done.stdout.splitlines()[-1].split() if done.stdout.strip() else []


def test_help_search_and_report_load_none_of_the_heavy_libraries():
    help_run = "import contextlib, io, sohoa.cli\nwith contextlib.redirect_stdout(io.StringIO()):\n    try:\n"
    help_run += "        sohoa.cli.main(['--help'])\n    except SystemExit:\n        pass"
    assert _loaded_after(help_run) == []
    assert _loaded_after("import sohoa.cli, sohoa.search_command, sohoa.report_command") == []


def test_the_probe_sees_a_heavy_library_when_one_is_loaded():
    assert "cv2" in _loaded_after("import workers.runtime, pipeline.page")


def test_search_and_report_as_json_load_neither_pydantic_nor_rich(tmp_path: Path):
    commands = (["search", "--json", "quyết định"], ["report", "--json"], ["report", "--reconcile", "--json"])
    for n, command in enumerate(commands):
        env = {k: v for k, v in os.environ.items() if not k.startswith("SOHOA_")} | {
            "SOHOA_DATA_DIR": str(tmp_path / f"{n}")
        }
        run = f"import sohoa.cli\nassert sohoa.cli.main({command!r}) == 0"
        assert "alembic" in _loaded_after(run, NOT_FOR_JSON + HEAVY, env)  # it made the catalog: the probe sees
        assert _loaded_after(run, NOT_FOR_JSON + HEAVY, env) == [], command
