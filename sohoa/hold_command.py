"""`sohoa hold set|clear ID --reason ...` and `sohoa hold list`: the command line of `workers.holds`."""

from __future__ import annotations

import getpass
import json

from rich.console import Console

from schemas.settings import Settings
from workers.holds import change_hold, list_holds
from workers.runtime import open_catalog, open_store


def run_hold(settings: Settings, action: str, document_id: str | None, reason: str, as_json: bool) -> int:
    """The `sohoa hold` actions; 0 done, 1 when a listed hold is no longer in the store."""
    console = Console(soft_wrap=True)
    catalog, store = open_catalog(settings), open_store(settings)
    try:
        if action == "list":
            holds = list_holds(catalog, store)
            if as_json:
                print(json.dumps([h.to_json() for h in holds], ensure_ascii=False, indent=2))
            else:
                for h in holds:
                    state = {True: "held", False: "NOT HELD IN THE STORE", None: "store unreadable"}[h.held_in_store]
                    line = f"{h.document_id}  {h.filename or ''}  since {h.since} by {h.actor}: {h.reason} [{state}]"
                    console.print(line, markup=False, highlight=False)
                console.print(f"Under legal hold: {len(holds)}", markup=False)
            return 0 if all(h.held_in_store for h in holds) else 1
        assert document_id is not None
        keys = change_hold(
            catalog, store, document_id, on=action == "set", reason=reason, actor=f"cli:{getpass.getuser()}"
        )
        verb = "set on" if action == "set" else "cleared from"
        console.print(f"Legal hold {verb} {document_id}: {', '.join(keys)}", markup=False, highlight=False)
        return 0
    finally:
        catalog.close()
