"""`sohoa watch DIR`, the hot folder, on the real pipeline with the bundled sample scans.

Scanner stations drop files into DIR; the watcher takes each one once it is complete, digitizes it and
files it into processed/ or rejected/ (with NAME.reason.txt). It never takes a half-written file and a
restart neither loses nor repeats one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from schemas.settings import Settings
from sohoa.cli import main
from sohoa.embedded import open_embedded
from sohoa.watch import INFLIGHT, HotFolder, WatchError
from storage.catalog import document_id_for
from storage.tables import Batch, Document
from tests.cluster import wait_until
from tests.processes import ended
from workers.runtime import Runtime

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "scans"
#: Bounds on waiting for events, not guesses of their time: a busy machine may take minutes, a hung one never.
STOP_BOUND_S = 600
SOHOA = str(Path(sys.executable).with_name("sohoa"))


def _files(folder: Path) -> list[str]:
    """Names of the regular files directly in `folder` (the watcher's lock and subfolders aside)."""
    return sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


def _in_flight(drop: Path) -> list[Path]:
    return sorted(p for p in (drop / INFLIGHT).rglob("*") if p.is_file() and p.name != ".lock")


def _statuses(rt: Runtime) -> dict[str, int]:
    with rt.catalog.session() as s:
        return dict(s.execute(select(Document.status, func.count()).group_by(Document.status)).all())


def _use(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    """Make the command line use the test's data folder."""
    monkeypatch.setenv("SOHOA_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("SOHOA_WORKERS", str(settings.workers))


def test_once_digitizes_what_is_there_and_files_it_by_outcome(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    # Given a hot folder with two scans, a text file named .jpg, a Word file, and files still being written
    drop = tmp_path / "drop"
    drop.mkdir()
    shutil.copy(SAMPLES / "certificate.png", drop / "Giấy chứng nhận.png")
    shutil.copy(SAMPLES / "criminal-record.jpg", drop / "criminal-record.jpg")
    shutil.copy(SAMPLES / "not-an-image.jpg", drop / "văn bản.jpg")
    (drop / "notes.docx").write_bytes(b"PK\x03\x04 not a scan")
    (drop / "scan9.pdf.part").write_bytes(b"%PDF-1.7 half")
    (drop / "scan8.tmp").write_bytes(b"half")
    (drop / ".hidden.png").write_bytes(b"hidden")
    _use(monkeypatch, settings)

    # When `sohoa watch --once` runs
    code = main(["watch", str(drop), "--once", "--stable-seconds", "0", "--poll", "0.2"])

    # Then the scans are in processed/, the bad files in rejected/ with their reasons, the rest untouched
    assert code == 0
    assert _files(drop / "processed") == ["Giấy chứng nhận.png", "criminal-record.jpg"]
    assert _files(drop / "rejected") == [
        "notes.docx",
        "notes.docx.reason.txt",
        "văn bản.jpg",
        "văn bản.jpg.reason.txt",
    ]
    reason = (drop / "rejected" / "văn bản.jpg.reason.txt").read_text(encoding="utf-8")
    assert "file: văn bản.jpg" in reason
    assert "code: unsupported_format" in reason
    assert "the content is a text file" in reason
    assert "unsupported file type" in (drop / "rejected" / "notes.docx.reason.txt").read_text(encoding="utf-8")
    assert _files(drop) == [".hidden.png", "scan8.tmp", "scan9.pdf.part"]
    assert _in_flight(drop) == []
    log = capsys.readouterr().err
    assert "taken Giấy chứng nhận.png: document" in log
    assert "archived Giấy chứng nhận.png → processed/Giấy chứng nhận.png" in log
    assert "rejected văn bản.jpg → rejected/văn bản.jpg: unsupported_format" in log
    with open_embedded(settings) as rt:
        assert _statuses(rt).get("rejected") == 1
        assert sum(_statuses(rt).values()) == 3
        with rt.catalog.session() as s:
            assert s.scalars(select(Batch.origin)).all() == [f"watch:{drop}"]

    # When the same certificate is dropped again under the same name
    shutil.copy(SAMPLES / "certificate.png", drop / "Giấy chứng nhận.png")
    code = main(["watch", str(drop), "--once", "--stable-seconds", "0", "--poll", "0.2"])

    # Then it is a duplicate of the archived document, filed beside the first under a numbered name
    assert code == 0
    certificate_id = document_id_for(hashlib.sha256((SAMPLES / "certificate.png").read_bytes()).hexdigest())
    assert f"(duplicate of {certificate_id})" in capsys.readouterr().err
    assert _files(drop / "processed") == ["Giấy chứng nhận-2.png", "Giấy chứng nhận.png", "criminal-record.jpg"]
    with open_embedded(settings) as rt:
        assert sum(_statuses(rt).values()) == 3


def test_a_half_written_file_is_taken_only_once_it_stays_unchanged(settings: Settings, tmp_path: Path):
    # Given half of a scan in the hot folder
    data = (SAMPLES / "certificate.png").read_bytes()
    drop = tmp_path / "drop"
    drop.mkdir()
    scan = drop / "scan.png"
    scan.write_bytes(data[: len(data) // 2])
    with open_embedded(settings) as rt, HotFolder(rt, drop, stable_seconds=5, log=lambda _: None) as hot:
        # When the watcher looks within the stable window, it leaves the file alone
        assert hot.scan_once(now=100.0) == []
        assert hot.scan_once(now=104.9) == []
        assert scan.exists() and _statuses(rt) == {}

        # When the rest is written, the window starts again
        with scan.open("ab") as f:
            f.write(data[len(data) // 2 :])
        assert hot.scan_once(now=106.0) == []
        assert hot.scan_once(now=110.9) == []
        assert scan.exists() and _statuses(rt) == {}

        # Then once unchanged for the whole window, the complete file is taken and received
        assert hot.scan_once(now=111.0) == ["scan.png"]
        assert not scan.exists()
        (taken,) = _in_flight(drop)
        assert taken.name == "scan.png" and taken.read_bytes() == data
        assert rt.catalog.document(document_id_for(hashlib.sha256(data).hexdigest())).status == "received"


def test_a_done_marker_takes_the_file_at_once(settings: Settings, tmp_path: Path):
    # Given a scan with its completion marker, and one without, under an hour-long stable window
    drop = tmp_path / "drop"
    drop.mkdir()
    shutil.copy(SAMPLES / "certificate.png", drop / "scan1.png")
    (drop / "scan1.png.done").touch()
    shutil.copy(SAMPLES / "criminal-record.jpg", drop / "scan2.jpg")
    with open_embedded(settings) as rt, HotFolder(rt, drop, stable_seconds=3600, log=lambda _: None) as hot:
        # When the watcher looks once
        taken = hot.scan_once(now=0.0)

        # Then the marked scan is taken with its marker, the other one waits
        assert taken == ["scan1.png"]
        assert _files(drop) == ["scan2.jpg"]
        assert [p.name for p in _in_flight(drop)] == ["scan1.png"]
        assert _statuses(rt) == {"received": 1}


def test_a_restart_between_receiving_and_the_final_status_neither_loses_nor_repeats_the_file(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # Given a watcher that took and received a scan, then stopped before anything processed it
    drop = tmp_path / "drop"
    drop.mkdir()
    shutil.copy(SAMPLES / "certificate.png", drop / "scan1.png")
    with open_embedded(settings) as rt, HotFolder(rt, drop, stable_seconds=0, log=lambda _: None) as hot:
        assert hot.scan_once() == ["scan1.png"]
        assert _statuses(rt) == {"received": 1}
    assert _files(drop) == []
    assert len(_in_flight(drop)) == 1

    # When the watcher starts again
    _use(monkeypatch, settings)
    assert main(["watch", str(drop), "--once", "--poll", "0.2"]) == 0

    # Then the file was followed to its end: one document, archived, the file in processed/ and nowhere else
    assert _files(drop / "processed") == ["scan1.png"]
    assert _files(drop) == [] and _in_flight(drop) == []
    with open_embedded(settings) as rt:
        assert _statuses(rt) == {"archived": 1}


def test_ctrl_c_stops_with_130_and_the_next_start_finishes_the_file(settings: Settings, tmp_path: Path):
    # Given `sohoa watch` running on a hot folder with a scan in it
    drop = tmp_path / "drop"
    drop.mkdir()
    shutil.copy(SAMPLES / "certificate.png", drop / "scan1.png")
    env = {**os.environ, "SOHOA_DATA_DIR": str(settings.data_dir), "SOHOA_WORKERS": "1"}
    command = [SOHOA, "watch", str(drop), "--poll", "0.2", "--stable-seconds", "0"]
    watcher = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    # When it is interrupted right after taking the scan
    with ended(watcher):
        try:
            wait_until(lambda: _in_flight(drop), timeout=STOP_BOUND_S, what="the scan to be taken")
        finally:
            watcher.send_signal(signal.SIGINT)
        _, log = watcher.communicate(timeout=STOP_BOUND_S)  # it ends once the page in hand is done

    # Then it stops with 130 and the file is in flight or filed, never lost; the next run files it once
    assert watcher.returncode == 130, log
    assert "resume" in log
    assert _files(drop) == []
    again = subprocess.run([*command, "--once"], env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert _files(drop / "processed") == ["scan1.png"]
    assert _in_flight(drop) == []
    with open_embedded(settings) as rt:
        assert _statuses(rt) == {"archived": 1}


def test_name_clashes_get_numbered_names_and_one_watcher_holds_a_folder(settings: Settings, tmp_path: Path):
    # Given rejected/ already holding notes.docx and notes-2.docx, and a new notes.docx dropped
    drop = tmp_path / "drop"
    (drop / "rejected").mkdir(parents=True)
    (drop / "rejected" / "notes.docx").write_bytes(b"first")
    (drop / "rejected" / "notes-2.docx").write_bytes(b"second")
    (drop / "notes.docx").write_bytes(b"third")
    with open_embedded(settings) as rt, HotFolder(rt, drop, stable_seconds=0, log=lambda _: None) as hot:
        # A second watcher on the same folder is refused
        with pytest.raises(WatchError, match="already watching"):
            HotFolder(rt, drop, stable_seconds=0)

        # When the watcher takes it
        hot.scan_once()

        # Then it gets the next free number, and nothing filed before is overwritten
        assert (drop / "rejected" / "notes.docx").read_bytes() == b"first"
        assert (drop / "rejected" / "notes-2.docx").read_bytes() == b"second"
        assert (drop / "rejected" / "notes-3.docx").read_bytes() == b"third"
        reason = (drop / "rejected" / "notes-3.docx.reason.txt").read_text(encoding="utf-8")
        assert "unsupported file type (.docx)" in reason
        assert [(o.name, o.destination.name) for o in hot.outcomes] == [("notes.docx", "notes-3.docx")]
