"""`sohoa hold set|clear ID --reason ...` and `sohoa hold list`: the command line of `workers.holds`."""

from __future__ import annotations

import argparse
import getpass
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from schemas.settings import Settings


def add_parser(commands: Any) -> None:
    """The `hold` command and its actions, added to the `sohoa` subparsers."""
    hold = commands.add_parser("hold", help="legal holds on a document's archived objects: set, clear, list")
    actions = hold.add_subparsers(dest="hold_command", required=True, metavar="ACTION")
    for action, text in [("set", "put a legal hold on the document's PDF and sidecars"), ("clear", "release it")]:
        change = actions.add_parser(action, help=text)
        change.add_argument("id", metavar="ID", help="the archived document")
        change.add_argument("--reason", required=True, help="why (kept in the audit log)")
    listing = actions.add_parser("list", help="documents under legal hold, checked against the store")
    listing.add_argument("--json", action="store_true", help="machine-readable list on stdout")


def run(settings: Settings, args: argparse.Namespace) -> int:
    """The `sohoa hold` actions; 0 done, 1 when a listed hold is no longer in the store."""
    from rich.console import Console

    from workers.holds import change_hold, list_holds
    from workers.runtime import open_catalog, open_store

    action = args.hold_command
    console = Console(soft_wrap=True)
    catalog, store = open_catalog(settings), open_store(settings)
    try:
        if action == "list":
            holds = list_holds(catalog, store)
            if args.json:
                print(json.dumps([h.to_json() for h in holds], ensure_ascii=False, indent=2))
            else:
                for h in holds:
                    state = {True: "held", False: "NOT HELD IN THE STORE", None: "store unreadable"}[h.held_in_store]
                    line = f"{h.document_id}  {h.filename or ''}  since {h.since} by {h.actor}: {h.reason} [{state}]"
                    console.print(line, markup=False, highlight=False)
                console.print(f"Under legal hold: {len(holds)}", markup=False)
            return 0 if all(h.held_in_store for h in holds) else 1
        keys = change_hold(
            catalog, store, args.id, on=action == "set", reason=args.reason, actor=f"cli:{getpass.getuser()}"
        )
        verb = "set on" if action == "set" else "cleared from"
        console.print(f"Legal hold {verb} {args.id}: {', '.join(keys)}", markup=False, highlight=False)
        return 0
    finally:
        catalog.close()
