"""Child processes of the test run: each test ends what it starts, by its PID, pass or fail.

`ended(process)` ends a process (and its process group, when it leads one) when the block is left,
however it is left. The autouse guard in `tests/conftest.py` then checks, after every test, that no
child process it started is still running: any that is gets killed and the test fails, naming it, so a
forgotten `sohoa watch` cannot outlive the suite. A server that a session fixture shares between tests
is marked with `shared(process)`.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: How long a process asked to stop (SIGTERM) gets before it is killed.
STOP_GRACE_S = 30.0
#: Helpers Python starts once and keeps for the life of the test process: not a test's leftovers.
INTERPRETER_HELPERS = ("multiprocessing.resource_tracker", "multiprocessing.forkserver")
#: Processes a session fixture keeps for every test (a shared server): by PID, not a test's leftovers.
SHARED: set[int] = set()


def shared(process: subprocess.Popen) -> subprocess.Popen:
    """Mark a process as the session's, kept across tests (its fixture ends it)."""
    SHARED.add(process.pid)
    return process


@contextmanager
def ended(process: subprocess.Popen) -> Iterator[subprocess.Popen]:
    """The process, stopped (SIGTERM, then SIGKILL) when the block ends if it is still running."""
    try:
        yield process
    finally:
        end(process)


def end(process: subprocess.Popen, grace: float = STOP_GRACE_S) -> None:
    """SIGTERM, and SIGKILL if it is still running `grace` seconds later."""
    if process.poll() is not None:
        return
    _signal(process, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        _signal(process, signal.SIGKILL)
        process.wait()


def _signal(process: subprocess.Popen, sig: signal.Signals) -> None:
    try:
        if os.getpgid(process.pid) == process.pid:  # it leads its own group (start_new_session)
            os.killpg(process.pid, sig)
        else:
            process.send_signal(sig)
    except ProcessLookupError:
        pass


def running_children() -> dict[int, str]:
    """This process's children that are still running (zombies are done; Python's own helpers are not a
    test's), by PID, with their command line."""
    me, found = os.getpid(), {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            pid = int(stat.parent.name)
            if int(fields[1]) == me and fields[0] != "Z" and pid not in SHARED:
                command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                if not any(helper in command for helper in INTERPRETER_HELPERS):
                    found[pid] = command
        except (OSError, IndexError, ValueError):  # it ended while we looked
            continue
    return found
