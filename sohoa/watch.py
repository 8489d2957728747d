"""The hot folder: `sohoa watch DIR` takes the scans that scanner stations drop into a shared folder.

A file is taken once its size and mtime have stayed the same for the stable window, or at once when its
completion marker `NAME.done` exists. Taking it moves it into `DIR/.sohoa-inflight/<token>/NAME` and
then receives it exactly as `sohoa digitize` does; when its document reaches a final status the file
moves on to `DIR/processed/` (archived, needs review) or `DIR/rejected/` (rejected, failed, with
`NAME.reason.txt`). Files still in flight when the watcher stops are received again (idempotent by
SHA-256) and followed when it starts, so a restart neither loses nor repeats a file.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import NoReturn

from sqlalchemy.exc import SQLAlchemyError

from schemas.errors import UsageError, root_cause
from schemas.statuses import FINAL_STATUSES
from sohoa.files import write_atomic
from workers.intake import SUPPORTED_SUFFIXES, receive_files
from workers.runtime import Runtime

INFLIGHT, PROCESSED, REJECTED = ".sohoa-inflight", "processed", "rejected"
LOCK_NAME = ".lock"
MARKER = ".done"
#: Files still being written by the usual copy tools, and the clutter desktops leave in shared folders.
IGNORED_SUFFIXES = (".part", ".tmp", MARKER)
IGNORED_NAMES = frozenset({"thumbs.db", "desktop.ini"})
DESTINATION = {"archived": PROCESSED, "needs_review": PROCESSED, "rejected": REJECTED, "failed": REJECTED}
UNSUPPORTED = "unsupported_file_type"

Log = Callable[[str], None]


class WatchError(UsageError):
    """The folder cannot be watched (missing, already watched, or nobody would process its files)."""


def log_to_stderr(line: str) -> None:
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {line}", file=sys.stderr, flush=True)


@dataclass
class _Seen:
    """A file not taken yet: what it looked like, and since when (on the watcher's clock)."""

    signature: tuple[int, int, int]
    since: float


@dataclass
class InFlight:
    """A taken file waiting in `.sohoa-inflight` for its document's final status."""

    path: Path
    document_id: str | None = None
    duplicate: bool = False
    resumed: bool = False


@dataclass(frozen=True)
class Outcome:
    """Where a file ended up, and why."""

    name: str
    status: str
    destination: Path
    document_id: str | None = None
    duplicate: bool = False
    error: dict | None = None


class HotFolder:
    """One watched folder. `scan_once` takes the files that are ready, `settle` files the finished ones.

    Only one watcher may hold a folder at a time (an advisory lock on `DIR/.sohoa-inflight/.lock`).
    `outcomes` lists every file filed so far.
    """

    def __init__(self, rt: Runtime, folder: Path, *, stable_seconds: float, log: Log = log_to_stderr) -> None:
        self.rt = rt
        self.folder = folder.absolute()
        self.stable_seconds = stable_seconds
        self.log = log
        if not self.folder.is_dir():
            raise WatchError(f"no such folder: {folder}")
        self.inflight_dir = self.folder / INFLIGHT
        self.inflight_dir.mkdir(exist_ok=True)
        self._lock = open(self.inflight_dir / LOCK_NAME, "a")  # noqa: SIM115 - held for the watcher's lifetime
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            raise WatchError(f"another `sohoa watch` is already watching {folder}") from None
        self.batch_id: str | None = None
        self._seen: dict[str, _Seen] = {}
        self._inflight: list[InFlight] = []
        self._taken = 0
        self.outcomes: list[Outcome] = []

    def close(self) -> None:
        self._lock.close()

    def __enter__(self) -> HotFolder:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def in_flight(self) -> int:
        """Files taken whose documents are not finished yet."""
        return len(self._inflight)

    @property
    def waiting(self) -> int:
        """Files seen in the folder but not taken yet (still changing, or not stable for long enough)."""
        return len(self._seen)

    # --- taking ----------------------------------------------------------------------------------
    def resume(self) -> list[str]:
        """Follow again the files a previous watcher left in flight; returns their names."""
        names = []
        for token in sorted(self.inflight_dir.iterdir()):
            if not token.is_dir() or token.is_symlink():
                continue
            files = [p for p in sorted(token.iterdir()) if p.is_file() and not p.name.startswith(".")]
            if not files:
                _remove_empty(token)
            for path in files:
                if not any(f.path == path for f in self._inflight):
                    self._inflight.append(InFlight(path, resumed=True))
                    names.append(path.name)
        self._receive_pending()
        return names

    def scan_once(self, now: float | None = None) -> list[str]:
        """Look at the folder once: take every file that is complete; returns the names taken.

        `now` is the watcher's clock (`time.monotonic()` by default); tests pass it to step through time.
        """
        now = time.monotonic() if now is None else now
        ready, present = [], set()
        with os.scandir(self.folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if _ignored(entry.name) or not entry.is_file(follow_symlinks=False):
                    continue
                present.add(entry.name)
                st = entry.stat(follow_symlinks=False)
                signature = (st.st_size, st.st_mtime_ns, st.st_ino)
                seen = self._seen.get(entry.name)
                if seen is None or seen.signature != signature:
                    seen = self._seen[entry.name] = _Seen(signature, now)
                marked = (self.folder / (entry.name + MARKER)).is_file()
                if marked or now - seen.since >= self.stable_seconds:
                    ready.append(entry.name)
        for name in set(self._seen) - present:
            del self._seen[name]
        taken = [name for name in ready if self._take(name)]
        self._receive_pending()
        return taken

    def _take(self, name: str) -> bool:
        self._seen.pop(name, None)
        source, marker = self.folder / name, self.folder / (name + MARKER)
        marker.unlink(missing_ok=True)  # first: a file whose marker is gone is still taken once stable
        if PurePath(name).suffix.lower() not in SUPPORTED_SUFFIXES:
            accepted = ", ".join(sorted(SUPPORTED_SUFFIXES))
            kind = PurePath(name).suffix or "no extension"
            error = {"code": UNSUPPORTED, "message": f"unsupported file type ({kind}): sohoa takes {accepted} files"}
            try:
                self._file(source, Outcome(name, "rejected", self.folder / REJECTED, error=error))
            except FileNotFoundError:
                return False
            return True
        self._taken += 1
        token = self.inflight_dir / f"{time.time_ns():020d}-{self._taken}"
        token.mkdir()
        try:
            os.rename(source, token / name)
        except FileNotFoundError:  # removed by the station meanwhile
            _remove_empty(token)
            return False
        self._inflight.append(InFlight(token / name))
        return True

    def _receive_pending(self) -> None:
        """Receive the taken files not received yet, as `sohoa digitize` does (idempotent by SHA-256)."""
        for gone in [f for f in self._inflight if not f.path.exists()]:  # removed by hand meanwhile
            self.log(f"gone {gone.path.name}: removed from {gone.path.parent.relative_to(self.folder)} by someone")
            self._inflight.remove(gone)
        pending = [f for f in self._inflight if f.document_id is None]
        if not pending:
            return
        if self.batch_id is None:
            self.batch_id = self.rt.catalog.create_batch(f"watch:{self.folder}"[:200])
        for tracked, item in zip(
            pending, receive_files(self.rt, self.batch_id, [f.path for f in pending]), strict=True
        ):
            tracked.document_id, tracked.duplicate = item.document_id, item.duplicate and not tracked.resumed
            status = self.rt.catalog.document(item.document_id).status
            if tracked.resumed:
                self.log(f"resumed {tracked.path.name}: document {item.document_id} ({status_words(status)})")
            elif tracked.duplicate:
                self.log(f"taken {tracked.path.name}: duplicate of {item.document_id} ({status_words(status)})")
            else:
                self.log(f"taken {tracked.path.name}: document {item.document_id}")

    # --- filing ----------------------------------------------------------------------------------
    def settle(self) -> list[Outcome]:
        """Move every in-flight file whose document is finished to processed/ or rejected/."""
        self._receive_pending()
        outcomes = []
        for tracked in list(self._inflight):
            if tracked.document_id is None:
                continue
            doc = self.rt.catalog.document(tracked.document_id)
            if doc.status not in FINAL_STATUSES:
                continue
            outcome = Outcome(
                tracked.path.name,
                doc.status,
                self.folder / DESTINATION[doc.status],
                tracked.document_id,
                tracked.duplicate,
                doc.error if doc.status in ("rejected", "failed") else None,
            )
            outcomes.append(self._file(tracked.path, outcome))
            self._inflight.remove(tracked)
            if tracked.path.parent != self.inflight_dir:
                _remove_empty(tracked.path.parent)
        return outcomes

    def _file(self, source: Path, outcome: Outcome) -> Outcome:
        """Move `source` into the outcome's folder under a free name, with its reason when it was refused."""
        outcome.destination.mkdir(exist_ok=True)
        target = _free_name(outcome.destination, outcome.name)
        if outcome.error is not None:
            write_atomic(
                target.with_name(target.name + ".reason.txt"), _reason_text(outcome).encode("utf-8", "backslashreplace")
            )
        os.rename(source, target)
        filed = Outcome(outcome.name, outcome.status, target, outcome.document_id, outcome.duplicate, outcome.error)
        where = target.relative_to(self.folder)
        line = f"{status_words(outcome.status)} {outcome.name} → {where}"
        if outcome.error is not None:
            line += f": {outcome.error.get('code')}: {outcome.error.get('message')}"
        if outcome.duplicate:
            line += f" (duplicate of {outcome.document_id})"
        elif outcome.status == "needs_review":
            line += f" (sohoa review {outcome.document_id})"
        self.log(line)
        self.outcomes.append(filed)
        return filed

    # --- loops -----------------------------------------------------------------------------------
    def drain(self, poll: float, sleep: Callable[[float], None] = time.sleep) -> list[Outcome]:
        """Wait for every in-flight file's document to finish, filing each as it does."""
        outcomes = self.settle()
        while self._inflight:
            sleep(poll)
            outcomes += self.settle()
        return outcomes

    def run_once(self, poll: float, sleep: Callable[[float], None] = time.sleep) -> list[Outcome]:
        """Take what is there (files still settling get one stable window), wait for it, file it."""
        self.scan_once()
        if self.waiting and self.stable_seconds > 0:
            sleep(self.stable_seconds)
            self.scan_once()
        self.drain(poll, sleep)
        return self.outcomes

    def run_forever(self, poll: float, sleep: Callable[[float], None] = time.sleep) -> NoReturn:
        """Scan and file every `poll` seconds until interrupted; storage outages are logged and waited out."""
        last_problem = None
        while True:
            try:
                self.scan_once()
                self.settle()
                last_problem = None
            except (OSError, SQLAlchemyError) as exc:
                problem = root_cause(exc)
                if problem != last_problem:
                    self.log(f"error: {problem}; trying again every {poll:g} s")
                last_problem = problem
            sleep(poll)


def _ignored(name: str) -> bool:
    lowered = name.lower()
    return name.startswith((".", "~$")) or lowered.endswith(IGNORED_SUFFIXES) or lowered in IGNORED_NAMES


def _free_name(folder: Path, name: str) -> Path:
    """`folder/name`, or `stem-2.ext`, `stem-3.ext`… when taken: nothing filed is ever overwritten."""
    path, stem, suffix, n = folder / name, PurePath(name).stem, PurePath(name).suffix, 1
    while path.exists() or path.is_symlink():
        n += 1
        path = folder / f"{stem}-{n}{suffix}"
    return path


def _reason_text(outcome: Outcome) -> str:
    error = outcome.error or {}
    lines = [
        f"file: {outcome.name}",
        f"status: {outcome.status}",
        f"code: {error.get('code')}",
        f"message: {error.get('message')}",
    ]
    if error.get("page") is not None:
        lines.append(f"page: {error['page']}")
    if outcome.document_id is not None:
        lines.append(f"document: {outcome.document_id}")
    return "\n".join(lines) + "\n"


def _remove_empty(folder: Path) -> None:
    with suppress(OSError):
        folder.rmdir()


def status_words(status: str) -> str:
    return status.replace("_", " ")
