"""Web accounts: users with one role, argon2 password hashes, sessions, API tokens and the login rate limit.

Secrets are never stored: sessions and API tokens are kept as SHA-256 digests of the random values
handed to the browser or the script, passwords as argon2id hashes.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from schemas.times import as_utc
from storage.catalog import Catalog
from storage.tables import ApiToken, LoginFailure, User, WebSession, utcnow

ROLES = ("admin", "staff", "officer", "auditor")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "sohoa_"
DEFAULT_TOKEN_LIFETIME = timedelta(days=90)


class AccountError(ValueError):
    """A user cannot be created or changed as asked; the message says why."""


class UnknownUser(AccountError):
    """No account has this username."""


class AccountRefused(AccountError):
    """The change would lock the archive out of its own administration (the last admin, oneself)."""


@dataclass(frozen=True)
class Account:
    """What the web app needs to know of a signed-in user."""

    id: int
    username: str
    full_name: str
    role: str


@dataclass(frozen=True)
class SessionPolicy:
    """How long a browser login lasts: `idle` without a request, and `lifetime` at most, however active."""

    idle: timedelta
    lifetime: timedelta


@dataclass(frozen=True)
class IssuedToken:
    """A new API token, shown once, and when it stops working."""

    token: str
    expires_at: datetime


@dataclass(frozen=True)
class LoginAttempt:
    """A login attempt as counted: `over` is how far past its limit the most-used key is (≤ 0: allowed)."""

    over: int

    @property
    def allowed(self) -> bool:
        return self.over <= 0

    @property
    def worth_logging(self) -> bool:
        """A refused attempt is logged the first time, then at 2, 4, 8… past the limit: a flood of guesses
        writes a handful of audit events per window, each with the count so far."""
        return self.over > 0 and self.over & (self.over - 1) == 0


@dataclass(frozen=True)
class SignedIn:
    """A live browser session: whose it is and the CSRF token its forms must carry."""

    account: Account
    csrf_token: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _account(user: User) -> Account:
    return Account(user.id, user.username, user.full_name, user.role)


def _revoke_tokens(s: Session, user: User) -> int:
    rows = list(s.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked.is_(False))))
    for row in rows:
        row.revoked = True
    return len(rows)


def _sign_out_everywhere(s: Session, user: User) -> int:
    """End the user's sessions and revoke its API tokens; the number of tokens revoked."""
    s.execute(delete(WebSession).where(WebSession.user_id == user.id))
    return _revoke_tokens(s, user)


class Accounts:
    """Users, sessions and tokens, kept in the catalog database."""

    def __init__(self, catalog: Catalog, hasher: PasswordHasher | None = None) -> None:
        self.catalog = catalog
        self.hasher = hasher or PasswordHasher()
        self._dummy_hash = self.hasher.hash(secrets.token_hex(16))

    # --- users ---------------------------------------------------------------------------------
    def add_user(self, username: str, password: str, role: str, full_name: str = "") -> Account:
        username = username.strip().lower()
        if not USERNAME.match(username):
            raise AccountError("a username is 2–64 characters: lower-case letters, digits, '.', '_' or '-'")
        self._check(password, role)
        with self.catalog.session() as s:
            if s.scalar(select(User.id).where(User.username == username)) is not None:
                raise AccountError(f"user {username!r} already exists")
            user = User(
                username=username, full_name=full_name.strip(), role=role, password_hash=self.hasher.hash(password)
            )
            s.add(user)
            s.flush()
            return _account(user)

    def set_password(self, username: str, password: str) -> int:
        """A new password: the user's sessions end and its API tokens are revoked (their count is returned)."""
        self._check(password, ROLES[0])
        with self.catalog.session() as s:
            user = self._user(s, username)
            user.password_hash = self.hasher.hash(password)
            return _sign_out_everywhere(s, user)

    def set_active(self, username: str, active: bool, *, by: str | None = None) -> int:
        """Disable or enable an account; either way its sessions end and its API tokens are revoked (counted).

        `by` is the account asking, if any: an account cannot disable itself, and nobody can disable the
        last active admin (the admins' rows are locked while counted, so two admins cannot disable each
        other at once).
        """
        with self.catalog.session() as s:
            user = self._user(s, username)
            if not active and user.active:
                if by is not None and by.strip().lower() == user.username:
                    raise AccountRefused("an account cannot disable itself; ask another admin")
                if user.role == "admin":
                    admins = select(User.id).where(User.role == "admin", User.active.is_(True)).with_for_update()
                    if len(s.scalars(admins).all()) <= 1:
                        raise AccountRefused(f"{user.username} is the last active admin; add another admin first")
            user.active = active
            return _sign_out_everywhere(s, user)

    def users(self) -> list[tuple[Account, bool]]:
        with self.catalog.session() as s:
            return [(_account(u), u.active) for u in s.scalars(select(User).order_by(User.username))]

    def authenticate(self, username: str, password: str) -> Account | None:
        """The account if the password is right; the same work is done for unknown users, so timing tells nothing."""
        with self.catalog.session() as s:
            user = s.scalar(select(User).where(User.username == username.strip().lower()))
            try:
                self.hasher.verify(user.password_hash if user else self._dummy_hash, password)
            except (VerificationError, InvalidHashError):
                return None
            if user is None or not user.active:
                return None
            if self.hasher.check_needs_rehash(user.password_hash):
                user.password_hash = self.hasher.hash(password)
            return _account(user)

    # --- sessions ------------------------------------------------------------------------------
    def start_session(self, account: Account, policy: SessionPolicy) -> tuple[str, str]:
        """A new session for the account: (cookie value, CSRF token)."""
        session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = utcnow()
        with self.catalog.session() as s:
            s.execute(delete(WebSession).where(WebSession.expires_at < now))
            expires_at = now + min(policy.idle, policy.lifetime)
            s.add(
                WebSession(
                    id_hash=_digest(session_id),
                    user_id=account.id,
                    csrf_token=csrf,
                    created_at=now,
                    expires_at=expires_at,
                )
            )
        return session_id, csrf

    def session(self, session_id: str, policy: SessionPolicy) -> SignedIn | None:
        """The session's user, its idle expiry pushed back (never past its lifetime); None when unknown,
        idle too long, too old or disabled."""
        now = utcnow()
        with self.catalog.session() as s:
            row = s.get(WebSession, _digest(session_id))
            if row is None or min(as_utc(row.expires_at), as_utc(row.created_at) + policy.lifetime) < now:
                return None
            user = s.get(User, row.user_id)
            if user is None or not user.active:
                return None
            slid = min(now + policy.idle, as_utc(row.created_at) + policy.lifetime)
            if abs(slid - as_utc(row.expires_at)) > timedelta(minutes=1):
                row.expires_at = slid
            return SignedIn(_account(user), row.csrf_token)

    def end_session(self, session_id: str) -> None:
        with self.catalog.session() as s:
            s.execute(delete(WebSession).where(WebSession.id_hash == _digest(session_id)))

    # --- API tokens ----------------------------------------------------------------------------
    def issue_token(self, username: str, name: str = "", lifetime: timedelta = DEFAULT_TOKEN_LIFETIME) -> IssuedToken:
        """A new bearer token for the user, valid for `lifetime`; shown once, only its digest is kept."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        expires_at = utcnow() + lifetime
        with self.catalog.session() as s:
            user = self._user(s, username)
            s.add(ApiToken(user_id=user.id, token_hash=_digest(token), name=name, expires_at=expires_at))
        return IssuedToken(token, expires_at)

    def token_account(self, token: str) -> Account | None:
        """The token's account; None when the token is unknown, revoked, expired, or its user disabled."""
        with self.catalog.session() as s:
            row = s.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.revoked.is_(False)))
            user = s.get(User, row.user_id) if row else None
            if row is None or user is None or not user.active or as_utc(row.expires_at) <= utcnow():
                return None
            row.last_used_at = utcnow()
            return _account(user)

    def revoke_tokens(self, username: str) -> int:
        with self.catalog.session() as s:
            return _revoke_tokens(s, self._user(s, username))

    # --- login rate limit ----------------------------------------------------------------------
    def attempt_login(self, limits: Mapping[str, int], window: timedelta) -> LoginAttempt:
        """Record a login attempt under each key (e.g. account and address, account alone) and count the
        attempts of the window, in one transaction, before any password is checked.

        Attempts at once are serialised per key (a PostgreSQL advisory lock; SQLite has one writer), so
        30 parallel guesses cannot all pass a limit of 5: the sixth is refused whatever the timing.
        A right password clears its key's attempts (`login_succeeded`).
        """
        since = utcnow() - window
        with self.catalog.session() as s:
            if s.get_bind().dialect.name == "postgresql":
                for key in sorted(limits):
                    s.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})
            s.execute(delete(LoginFailure).where(LoginFailure.at < since))
            s.add_all(LoginFailure(key=key) for key in limits)
            s.flush()
            counted = select(LoginFailure.key, func.count()).where(
                LoginFailure.key.in_(list(limits)), LoginFailure.at >= since
            )
            counts: dict[str, int] = {key: n for key, n in s.execute(counted.group_by(LoginFailure.key))}
        over = max(counts.get(key, 0) - limit for key, limit in limits.items())
        return LoginAttempt(over)

    def login_succeeded(self, keys: Iterable[str]) -> None:
        """The right password: the attempts counted under these keys are forgotten."""
        with self.catalog.session() as s:
            s.execute(delete(LoginFailure).where(LoginFailure.key.in_(list(keys))))

    # -------------------------------------------------------------------------------------------
    @staticmethod
    def _check(password: str, role: str) -> None:
        if role not in ROLES:
            raise AccountError(f"unknown role {role!r}; the roles are {', '.join(ROLES)}")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError(f"a password has at least {MIN_PASSWORD_LENGTH} characters")

    @staticmethod
    def _user(s: Session, username: str) -> User:
        user = s.scalar(select(User).where(User.username == username.strip().lower()))
        if user is None:
            raise UnknownUser(f"no user {username!r}")
        return user
