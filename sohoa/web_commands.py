"""`sohoa serve` (the web app) and `sohoa user` (accounts and API tokens)."""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypedDict

from schemas.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from schemas.settings import Settings

#: The `sohoa user` actions and their help.
USER_ACTIONS = {
    "add": "create an account",
    "password": "set a new password (signs the user out everywhere and revokes its API tokens)",
    "disable": "lock an account out (signs it out everywhere and revokes its API tokens)",
    "enable": "let a locked account in again (with new API tokens only)",
    "token": "issue an API token and print it (shown once); it expires",
    "revoke": "revoke every API token of the user",
}


class UserCommandError(UsageError):
    """The account command cannot be done; the message says why."""


def add_parser(commands: Any) -> None:
    """The `serve` and `user` commands, added to the `sohoa` subparsers."""
    serve = commands.add_parser("serve", help="the web app and REST API")
    serve.add_argument("--host", metavar="ADDRESS", help="listen on ADDRESS (default: SOHOA_WEB_HOST, 127.0.0.1)")
    serve.add_argument("--port", type=int, metavar="PORT", help="listen on PORT (default: SOHOA_WEB_PORT, 8000)")

    user = commands.add_parser("user", help="web accounts: add, list, password, disable, enable, token, revoke")
    actions = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    actions.add_parser("list", help="every account and its role")
    for action, text in USER_ACTIONS.items():
        sub = actions.add_parser(action, help=text)
        sub.add_argument("username", metavar="USERNAME")
        if action == "add":
            sub.add_argument("--role", required=True, choices=["admin", "staff", "officer", "auditor"])
        if action in ("add", "token"):
            sub.add_argument("--name", help="full name (add) or what the token is for (token)")
        if action in ("add", "password"):
            sub.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
        if action == "token":
            sub.add_argument("--days", type=float, help="days the token works (default: SOHOA_WEB_TOKEN_DAYS, 90)")


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Run `sohoa serve` (until stopped) or `sohoa user ACTION`."""
    from rich.console import Console

    if args.command == "serve":
        return run_serve(settings, args.host, args.port)
    return run_user(settings, args.user_command, args, Console())


def run_serve(settings: Settings, host: str | None, port: int | None) -> int:
    import uvicorn
    from rich.console import Console

    from web.app import create_app

    host, port = host or settings.web_host, port or settings.web_port
    Console(stderr=True).print(f"sohoa web app on http://{host}:{port}/ (Ctrl+C stops it)")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning", **proxy_options(settings))
    return 0


class ProxyOptions(TypedDict):
    proxy_headers: bool
    forwarded_allow_ips: str | None


def proxy_options(settings: Settings) -> ProxyOptions:
    """uvicorn's proxy options: forwarded headers are believed only from the configured proxies, if any."""
    trusted = settings.web_trusted_proxies
    return ProxyOptions(proxy_headers=bool(trusted), forwarded_allow_ips=",".join(trusted) if trusted else None)


def read_password(from_stdin: bool) -> str:
    """The new password: one line of stdin, or typed twice at a prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password (at least 10 characters): ")
    if getpass.getpass("Again: ") != first:
        raise UserCommandError("the two passwords differ")
    return first


def _signed_out(tokens_revoked: int) -> str:
    return f"signed out everywhere, {tokens_revoked} API token(s) revoked"


def run_user(settings: Settings, action: str, args: argparse.Namespace, console: Console) -> int:
    from rich.console import Console
    from rich.table import Table

    from storage.accounts import AccountError, Accounts
    from storage.audit import AuditLog
    from workers.runtime import open_catalog

    actor = f"cli:{getpass.getuser()}"
    with open_catalog(settings) as catalog:
        accounts, audit = Accounts(catalog), AuditLog(catalog)
        try:
            if action == "add":
                account = accounts.add_user(
                    args.username, read_password(args.password_stdin), args.role, args.name or ""
                )
                audit.append("user_added", actor=actor, details={"user": account.username, "role": account.role})
                console.print(f"added {account.username} ({account.role})")
            elif action == "password":
                revoked = accounts.set_password(args.username, read_password(args.password_stdin))
                audit.append(
                    "password_changed", actor=actor, details={"user": args.username, "tokens_revoked": revoked}
                )
                console.print(f"password of {args.username} changed; {_signed_out(revoked)}")
            elif action in ("disable", "enable"):
                revoked = accounts.set_active(args.username, action == "enable")
                audit.append(f"user_{action}d", actor=actor, details={"user": args.username, "tokens_revoked": revoked})
                console.print(f"{args.username} {action}d; {_signed_out(revoked)}")
            elif action == "token":
                days = args.days if args.days is not None else settings.web_token_days
                issued = accounts.issue_token(args.username, args.name or "", timedelta(days=days))
                expires = issued.expires_at.strftime("%Y-%m-%d %H:%M UTC")
                details = {"user": args.username, "name": args.name or "", "expires_at": issued.expires_at.isoformat()}
                audit.append("token_issued", actor=actor, details=details)
                print(issued.token)  # the only time it is shown; stdout holds nothing else, for scripts
                Console(stderr=True).print(f"token of {args.username} issued; it works until {expires}")
            elif action == "revoke":
                count = accounts.revoke_tokens(args.username)
                audit.append("tokens_revoked", actor=actor, details={"user": args.username, "count": count})
                console.print(f"{count} token(s) of {args.username} revoked")
            else:
                table = Table("username", "name", "role", "active")
                for account, active in accounts.users():
                    table.add_row(account.username, account.full_name, account.role, "yes" if active else "no")
                console.print(table)
        except AccountError as exc:
            raise UserCommandError(str(exc)) from None
    return 0
