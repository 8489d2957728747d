"""Web accounts: users with one role, argon2 password hashes, sessions, API tokens and the login rate limit.

Secrets are never stored: sessions and API tokens are kept as SHA-256 digests of the random values
handed to the browser or the script, passwords as argon2id hashes.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select

from storage.catalog import Catalog, as_utc
from storage.tables import ApiToken, LoginFailure, User, WebSession, utcnow

ROLES = ("admin", "staff", "officer", "auditor")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "sohoa_"


class AccountError(ValueError):
    """A user cannot be created or changed as asked; the message says why."""


@dataclass(frozen=True)
class Account:
    """What the web app needs to know of a signed-in user."""

    id: int
    username: str
    full_name: str
    role: str


@dataclass(frozen=True)
class SignedIn:
    """A live browser session: whose it is and the CSRF token its forms must carry."""

    account: Account
    csrf_token: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _account(user: User) -> Account:
    return Account(user.id, user.username, user.full_name, user.role)


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

    def set_password(self, username: str, password: str) -> None:
        self._check(password, ROLES[0])
        with self.catalog.session() as s:
            user = self._user(s, username)
            user.password_hash = self.hasher.hash(password)
            s.execute(delete(WebSession).where(WebSession.user_id == user.id))

    def set_active(self, username: str, active: bool) -> None:
        with self.catalog.session() as s:
            user = self._user(s, username)
            user.active = active
            if not active:
                s.execute(delete(WebSession).where(WebSession.user_id == user.id))

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
    def start_session(self, account: Account, lifetime: timedelta) -> tuple[str, str]:
        """A new session for the account: (cookie value, CSRF token)."""
        session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self.catalog.session() as s:
            s.execute(delete(WebSession).where(WebSession.expires_at < utcnow()))
            s.add(
                WebSession(
                    id_hash=_digest(session_id), user_id=account.id, csrf_token=csrf, expires_at=utcnow() + lifetime
                )
            )
        return session_id, csrf

    def session(self, session_id: str, lifetime: timedelta) -> SignedIn | None:
        """The session's user, its expiry pushed back by `lifetime`; None when unknown, expired or disabled."""
        with self.catalog.session() as s:
            row = s.get(WebSession, _digest(session_id))
            if row is None or as_utc(row.expires_at) < utcnow():
                return None
            user = s.get(User, row.user_id)
            if user is None or not user.active:
                return None
            if as_utc(row.expires_at) - utcnow() < lifetime - timedelta(minutes=1):
                row.expires_at = utcnow() + lifetime
            return SignedIn(_account(user), row.csrf_token)

    def end_session(self, session_id: str) -> None:
        with self.catalog.session() as s:
            s.execute(delete(WebSession).where(WebSession.id_hash == _digest(session_id)))

    # --- API tokens ----------------------------------------------------------------------------
    def issue_token(self, username: str, name: str = "") -> str:
        """A new bearer token for the user; shown once, only its digest is kept."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.catalog.session() as s:
            user = self._user(s, username)
            s.add(ApiToken(user_id=user.id, token_hash=_digest(token), name=name))
        return token

    def token_account(self, token: str) -> Account | None:
        with self.catalog.session() as s:
            row = s.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.revoked.is_(False)))
            user = s.get(User, row.user_id) if row else None
            if row is None or user is None or not user.active:
                return None
            row.last_used_at = utcnow()
            return _account(user)

    def revoke_tokens(self, username: str) -> int:
        with self.catalog.session() as s:
            user = self._user(s, username)
            rows = list(s.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked.is_(False))))
            for row in rows:
                row.revoked = True
            return len(rows)

    # --- login rate limit ----------------------------------------------------------------------
    def login_blocked(self, key: str, attempts: int, window: timedelta) -> bool:
        with self.catalog.session() as s:
            since = utcnow() - window
            s.execute(delete(LoginFailure).where(LoginFailure.at < since))
            failures = s.scalar(select(func.count()).where(LoginFailure.key == key, LoginFailure.at >= since))
            return (failures or 0) >= attempts

    def login_failed(self, key: str) -> None:
        with self.catalog.session() as s:
            s.add(LoginFailure(key=key))

    def login_succeeded(self, key: str) -> None:
        with self.catalog.session() as s:
            s.execute(delete(LoginFailure).where(LoginFailure.key == key))

    # -------------------------------------------------------------------------------------------
    @staticmethod
    def _check(password: str, role: str) -> None:
        if role not in ROLES:
            raise AccountError(f"unknown role {role!r}; the roles are {', '.join(ROLES)}")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError(f"a password has at least {MIN_PASSWORD_LENGTH} characters")

    @staticmethod
    def _user(s, username: str) -> User:
        user = s.scalar(select(User).where(User.username == username.strip().lower()))
        if user is None:
            raise AccountError(f"no user {username!r}")
        return user
