"""The `sohoa` command line: digitize, work, watch, review, verify, search, serve the web app, manage users.

Each command lives in its own module, which exposes `add_parser(subparsers)` and `run(settings, args) -> int`
and imports what it needs only when it runs, so `sohoa --help`, `search` and `report` start without loading
OCR, imaging and signing libraries, and a search or report printed as JSON without pydantic or rich. Errors
carry their exit code (`schemas.errors`); `main` catches them once.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

from schemas.errors import ExitCode, SohoaError, root_cause
from sohoa import (
    audit_command,
    catalog_command,
    digitize_command,
    fixity_command,
    hold_command,
    operations,
    report_command,
    review_command,
    schema_command,
    search_command,
    verify_command,
    watch_command,
    web_commands,
)

if TYPE_CHECKING:
    from rich.console import Console

#: The command modules, in the order `sohoa --help` lists their commands.
COMMANDS: tuple[ModuleType, ...] = (
    digitize_command,
    review_command,
    verify_command,
    report_command,
    fixity_command,
    hold_command,
    search_command,
    operations,  # worker, recover, dlq
    watch_command,
    web_commands,  # serve, user
    catalog_command,
    audit_command,
    schema_command,
)
#: Commands that need no configuration, so a broken environment does not stop them.
WITHOUT_SETTINGS = frozenset({"schema"})


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command; each command's `run` is its `handler` default."""
    parser = argparse.ArgumentParser(prog="sohoa", description="Digitize scanned Vietnamese administrative results.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every step")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        known = set(commands.choices)
        module.add_parser(commands)
        for name in commands.choices.keys() - known:
            commands.choices[name].set_defaults(handler=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; its exit code."""
    return _dispatch(build_parser().parse_args(argv))


def _dispatch(args: argparse.Namespace) -> int:
    handler = logging.StreamHandler()
    log_format = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    handler.setFormatter(logging.Formatter(log_format) if args.verbose else _BriefFormatter(log_format))
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, handlers=[handler])
    run: Callable[[Any, argparse.Namespace], int] = args.handler
    try:
        if args.command in WITHOUT_SETTINGS:
            return run(None, args)
        from schemas.settings import Settings

        settings = Settings.from_env(workers=getattr(args, "workers", None))
        return run(settings, args)
    except SohoaError as exc:
        from rich.markup import escape

        _stderr().print("[red]error:[/]", escape(str(getattr(exc, "message", None) or exc)))
        return int(exc.exit_code)
    except KeyboardInterrupt:
        if note := INTERRUPTED.get(args.command):
            _stderr().print(f"[yellow]interrupted:[/] {note.format(dir=getattr(args, 'dir', ''))}")
        return ExitCode.INTERRUPTED
    except Exception as exc:
        if not _service_failure(exc):
            raise
        err = _stderr()
        err.print(f"[red]error:[/] cannot continue: {root_cause(exc)}")
        if note := RESUMABLE.get(args.command):
            err.print(note)
        return ExitCode.FAILED


#: What an interrupted command leaves, by command.
INTERRUPTED = {
    "digitize": "finished documents are kept; run the same command again to resume",
    "watch": "files in flight wait in {dir}/.sohoa-inflight; the next start resumes them",
}
#: What a command stopped by a failing disk, database or broker leaves, by command.
RESUMABLE = {
    "digitize": "Finished documents are kept; fix the problem and run the same command again to resume.",
    "watch": "Nothing is lost: run the same command again to resume.",
}


def _stderr() -> Console:
    """The console of errors, made when there is one: rich is not loaded for a command that succeeds quietly."""
    from rich.console import Console

    return Console(stderr=True, soft_wrap=True)


def _service_failure(exc: Exception) -> bool:
    """A failure of the disk, the database or the broker underneath, not of sohoa's own making."""
    from dramatiq.errors import BrokerError  # imported only once something failed: they load slowly
    from sqlalchemy.exc import SQLAlchemyError

    return isinstance(exc, OSError | SQLAlchemyError | BrokerError)


class _BriefFormatter(logging.Formatter):
    """Log lines for people: a failure's cause in a few words, its traceback only with `--verbose`.

    A page retried after a full disk or a lost catalog is logged by the worker; the record and the summary
    say what happened to the document, so a screen of traceback adds nothing but alarm.
    """

    def formatException(self, ei: Any) -> str:
        return f"  cause: {root_cause(ei[1])}" if ei[1] is not None else ""


def _answers_and_exits(args: argparse.Namespace) -> bool:
    """A search or a report: it reads, prints and ends, having closed its catalog (not a reindex)."""
    return args.command in ("search", "report") and not getattr(args, "reindex", False)


def run() -> None:
    """The `sohoa` executable.

    A command that answers and exits runs without the cycle collector and skips the interpreter's teardown once
    its output is flushed: its imports (SQLAlchemy's most of all) make objects by the hundred thousand, which
    the collector walks again and again for no garbage and the teardown frees one by one: together nearly a
    quarter of `sohoa search`'s time (310 -> 240 ms of CPU). The others (digitize, worker, serve, a reindex)
    run for long and keep both.
    """
    gc.disable()
    args = build_parser().parse_args()
    if not _answers_and_exits(args):
        gc.enable()
        sys.exit(_dispatch(args))
    code = _dispatch(args)
    logging.shutdown()
    try:
        sys.stdout.flush()
    except OSError as exc:  # a full disk or a closed pipe: said, as Python says it at exit, but in a line
        print(f"error: cannot write the output: {exc.strerror or exc}", file=sys.stderr)
        code = code or ExitCode.FAILED
    sys.stderr.flush()
    os._exit(code)
