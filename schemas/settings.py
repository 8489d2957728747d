"""The one typed settings object, read once from SOHOA_* environment variables and passed down.

`Settings` is a frozen dataclass that checks and converts its own values (`_convert`): every command reads the
settings first, and a pydantic model would cost `sohoa search` a fifth of its start in imports alone.
`schemas.export` publishes the same fields, types, bounds and descriptions as a JSON Schema.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import os
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from schemas.errors import ConfigurationError

ENV_PREFIX = "SOHOA_"
#: Settings that once existed, and why they went: set, they are refused with this reason.
REMOVED = {
    "web_secret_key": "web sessions are random ids kept server-side, so nothing is signed with a key",
}
#: The strings a yes-or-no setting takes, as pydantic reads them.
TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
FALSE = frozenset({"0", "off", "f", "false", "n", "no"})
#: The bounds a number setting (or each value of a mapping) may carry: name → (test, how the error says it).
BOUNDS: dict[str, tuple[Callable[[float, float], bool], str]] = {
    "ge": (lambda value, bound: value >= bound, "at least"),
    "gt": (lambda value, bound: value > bound, "more than"),
    "le": (lambda value, bound: value <= bound, "at most"),
}


class SettingsError(ConfigurationError, ValueError):
    """The configuration cannot be used; the message says which variable and why."""


class SecretStr:
    """A password or key: `repr`, `str` and the logs show stars; `get_secret_value()` gives the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "SecretStr('**********')"

    def __str__(self) -> str:
        return "**********" if self._value else ""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretStr) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def setting(
    default: Any = dataclasses.MISSING,
    *,
    factory: Callable[[], Any] | None = None,
    description: str | None = None,
    **bounds: float,
) -> Any:
    """A settings field: its default (or `factory`), what it is for, and its bounds (`ge`, `gt`, `le`; for a
    mapping, of each value)."""
    if unknown := bounds.keys() - BOUNDS.keys():
        raise TypeError(f"unknown bounds {sorted(unknown)}")
    metadata = {"description": description, "bounds": bounds}
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Every knob sohoa has. Unknown keys are refused so a typo never passes silently."""

    data_dir: Path = setting(Path("sohoa-data"), description="Embedded catalog and object store live here.")
    database_url: str | None = setting(None, description="SQLAlchemy URL; default SQLite under data_dir.")
    broker_url: str | None = setting(None, description="amqp:// or redis://; default in-process broker.")
    s3_endpoint: str | None = setting(None, description="host:port of the S3 server; default the local folder store.")
    s3_access_key: str | None = None
    s3_secret_key: SecretStr | None = None
    s3_secure: bool = setting(True, description="Use TLS to reach the S3 endpoint.")
    s3_bucket_prefix: str = setting("sohoa-", description="Prefix of the incoming, work and archive bucket names.")
    s3_ca_file: Path | None = setting(None, description="CA bundle that signs the S3 endpoint's TLS certificate.")
    s3_cert_check: bool = setting(True, description="Verify the S3 endpoint's TLS certificate.")
    archive_retention_mode: Literal["GOVERNANCE", "COMPLIANCE"] | None = setting(
        "GOVERNANCE", description="Object-lock mode of archived objects; COMPLIANCE cannot be shortened by anyone."
    )
    archive_retention_days: int = setting(
        3650, ge=0, description="Archived objects cannot be deleted or overwritten for this many days (0: no lock)."
    )
    archive_retention_days_by_type: dict[str, int] = setting(
        factory=dict,
        ge=0,
        description=(
            "Retention days per document type (type_name, diacritics and case optional), e.g. "
            '{"giấy phép xây dựng": 36500}; other types get archive_retention_days. JSON in the environment.'
        ),
    )
    lease_seconds: float = setting(
        900.0, gt=0, description="A document with no progress for this long is re-enqueued by the sweeper."
    )
    ingest_time_limit_s: float = setting(120.0, gt=0, description="Time limit of the ingest step.")
    page_time_limit_s: float = setting(600.0, gt=0, description="Time limit of one page's processing.")
    assemble_time_limit_s: float = setting(600.0, gt=0, description="Time limit of building, signing and archiving.")
    watch_stable_seconds: float = setting(
        5.0, ge=0, description="The hot folder takes a file once its size has not changed for this long."
    )
    workers: int = setting(
        factory=lambda: os.cpu_count() or 1,
        ge=0,
        le=256,
        description="Pages processed in parallel by this process; 0 leaves the work to `sohoa worker` processes.",
    )

    web_host: str = setting("127.0.0.1", description="Address `sohoa serve` listens on.")
    web_port: int = setting(8000, ge=1, le=65535, description="Port `sohoa serve` listens on.")
    web_session_hours: float = setting(
        2.0, gt=0, description="A login ends after this long without a request (the idle timeout)."
    )
    web_session_max_hours: float = setting(
        12.0, gt=0, description="A login ends this long after it began, however busy."
    )
    web_token_days: float = setting(90.0, gt=0, description="API tokens stop working this long after they are issued.")
    web_cookie_secure: bool = setting(False, description="Send cookies over HTTPS only (set behind a TLS proxy).")
    web_login_attempts: int = setting(5, ge=1, description="Failed logins allowed per user and address per window.")
    web_login_account_attempts: int = setting(
        20, ge=1, description="Failed logins allowed per user per window, whatever the addresses they come from."
    )
    web_trusted_proxies: list[str] = setting(
        factory=list,
        description=(
            "Addresses (or CIDR ranges) of the reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are "
            "believed; empty (the default): none, every caller is its own socket address."
        ),
    )
    web_login_window_s: float = setting(300.0, gt=0, description="The window of the login rate limit.")
    upload_max_files: int = setting(500, ge=1, description="Files one upload may carry.")
    audit_key_file: Path | None = setting(
        None,
        description=(
            "Key of the HMAC over secret settings in `config_changed` events; default data_dir/audit-hmac.key, "
            "made on first use. Give every process of a deployment the same file."
        ),
    )

    tesseract_cmd: str = "tesseract"
    tessdata_dir: Path | None = setting(None, description="Folder with the OCR models; default tesseract's own.")
    ocr_language: str = setting("vie", description="Tesseract model name, e.g. vie, vie_best, Vietnamese.")
    ocr_dpi: int = setting(300, ge=150, le=600, description="Pages are resampled to this resolution for OCR.")
    ocr_timeout_s: float = setting(180.0, gt=0)
    osd_min_confidence: float = setting(
        1.5, ge=0, description="Below this OSD confidence, the page is read in all four turns to find its way up."
    )
    orientation_check_confidence: float = setting(
        0.75,
        ge=0,
        le=1,
        description="A page read with a lower mean word confidence is read again turned by 180° to check its way up.",
    )

    min_dpi: int = setting(200, description="Scans below this resolution get a warning (TT 02/2019).")
    max_file_bytes: int = setting(1 << 30, ge=1)
    max_page_pixels: int = setting(150_000_000, ge=1, description="Larger pages are refused as likely bombs.")
    max_pages: int = setting(2000, ge=1)
    jpeg_quality: int = setting(80, ge=30, le=100, description="Quality of the colour page images archived.")

    review_threshold: float = setting(
        0.7, ge=0, le=1, description="A required field below this confidence sends the document to review."
    )

    result_code_format: str = setting(
        "{dossier_code}-KQ{n}", description="Result code (Decree 45 Art. 14.3); {dossier_code} and {n} are filled."
    )

    agency_name: str = setting("Cơ quan thử nghiệm sohoa (TEST)", description="Copying agency shown on the stamp.")
    copy_type: Literal["SAO Y", "SAO LỤC", "TRÍCH SAO"] = "SAO Y"
    sign_pkcs12: Path | None = setting(None, description="Agency key and certificate; default a generated TEST one.")
    sign_password: SecretStr | None = setting(None, description="PKCS#12 password (or use sign_password_file).")
    sign_password_file: Path | None = None
    sign_pkcs11_module: Path | None = setting(None, description="PKCS#11 library of a USB token or HSM.")
    sign_pkcs11_token: str | None = setting(None, description="Token label (or use sign_pkcs11_slot).")
    sign_pkcs11_slot: int | None = None
    sign_pkcs11_key: str | None = setting(None, description="Label of the signing key and its certificate.")
    sign_pkcs11_pin_file: Path | None = None
    trust_roots: list[Path] = setting(factory=list, description="PEM/DER CA certificates trusted by verify.")
    tsa_url: str | None = setting(None, description="RFC 3161 timestamp authority; makes signatures PAdES B-T.")
    tsa_username: str | None = None
    tsa_password: SecretStr | None = None
    revocation_crls: list[Path] = setting(factory=list, description="CRL files to embed (PAdES B-LT).")
    revocation_fetch: bool = setting(False, description="Fetch CRL/OCSP online for PAdES B-LT.")
    pades_lta: bool = setting(False, description="Add a document timestamp (PAdES B-LTA); needs tsa_url.")
    stamp_font: Path | None = setting(None, description="TrueType/OpenType font for the stamp; must cover Vietnamese.")
    operator_pkcs12: Path | None = setting(None, description="Scanning operator's personal key (top-left signature).")
    operator_password: SecretStr | None = None

    def __post_init__(self) -> None:
        problems = []
        for field in dataclasses.fields(self):
            try:
                value = _convert(getattr(self, field.name), _hints()[field.name], field.metadata.get("bounds", {}))
            except ValueError as exc:
                problems.append(f"{ENV_PREFIX}{field.name.upper()}: {exc}")
            else:
                object.__setattr__(self, field.name, value)  # frozen: the converted value replaces the given one
        if problems:
            raise SettingsError(f"invalid configuration: {'; '.join(problems)}")

    @property
    def catalog_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'catalog.sqlite3').resolve()}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Build settings from SOHOA_* variables, then explicit overrides (e.g. CLI options)."""
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {
            key[len(ENV_PREFIX) :].lower(): value for key, value in environ.items() if key.startswith(ENV_PREFIX)
        }
        for name in REMOVED.keys() & values.keys():
            raise SettingsError(f"{ENV_PREFIX}{name.upper()} is no longer used: {REMOVED[name]}; remove it")
        if unknown := sorted(values.keys() - _hints().keys()):
            names = ", ".join(f"{ENV_PREFIX}{name.upper()}" for name in unknown)
            raise SettingsError(f"invalid configuration: {names}: no such setting (a typo?)")
        for name, value in values.items():
            origin = typing.get_origin(_hints()[name])
            if isinstance(value, str) and origin is list:
                values[name] = [part for part in value.split(",") if part]
            elif isinstance(value, str) and origin is dict:
                try:
                    values[name] = json.loads(value)
                except ValueError as exc:
                    raise SettingsError(f"{ENV_PREFIX}{name.upper()}: not a JSON object: {exc}") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]  # each value is checked and converted by __post_init__


@functools.cache
def _hints() -> dict[str, Any]:
    """Each setting's type, its annotation evaluated."""
    return typing.get_type_hints(Settings)


def _convert(value: object, hint: Any, bounds: Mapping[str, float]) -> Any:
    """`value` as a setting of type `hint` takes it (a string from the environment converted as pydantic would),
    or ValueError saying why it cannot be."""
    origin, arguments = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        if value is None:
            return None
        (hint,) = (argument for argument in arguments if argument is not type(None))
        return _convert(value, hint, bounds)
    if origin is Literal:
        if value not in arguments:
            raise ValueError(f"must be one of {', '.join(map(repr, arguments))}, not {value!r}")
        return value
    if origin is list:
        if not isinstance(value, list | tuple):
            raise ValueError(f"must be a list, not {value!r}")
        return [_convert(item, arguments[0], {}) for item in value]
    if origin is dict:
        if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
            raise ValueError(f"must be a mapping of names to values, not {value!r}")
        return {key: _convert(item, arguments[1], bounds) for key, item in value.items()}
    converted = _scalar(value, hint)
    for name, bound in bounds.items():
        test, words = BOUNDS[name]
        if not test(converted, bound):
            raise ValueError(f"must be {words} {bound}, not {converted!r}")
    return converted


def _scalar(value: object, hint: type) -> Any:
    """`value` as a bool, int, float, str, Path or SecretStr, or ValueError."""
    if hint is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in TRUE | FALSE:
            return value.strip().lower() in TRUE
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        raise ValueError(f"must be true or false, not {value!r}")
    if hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            try:
                return int(value)  # exactly, however large
            except ValueError:
                pass  # "3.0" below; "²" and "+-5" are no whole number
        number = _number(value)  # "3.0", 3.0
        if number is None or not number.is_integer():
            raise ValueError(f"must be a whole number, not {value!r}")
        return int(number)
    if hint is float:
        number = _number(value)
        if number is None or math.isnan(number):
            raise ValueError(f"must be a number, not {value!r}")
        return number
    if hint is str:
        if not isinstance(value, str):
            raise ValueError(f"must be text, not {value!r}")
        return value
    if hint is Path:
        if not isinstance(value, str | os.PathLike):
            raise ValueError(f"must be a path, not {value!r}")
        return Path(value)
    if hint is SecretStr:
        secret = value.get_secret_value() if hasattr(value, "get_secret_value") else value  # pydantic's too
        if not isinstance(secret, str):
            raise ValueError("must be text")
        return SecretStr(secret)
    raise TypeError(f"no conversion to {hint!r}")  # a setting of a type this module does not know: a bug


def _number(value: object) -> float | None:
    """A number from an int, a float or the text of one; None from anything else (a bool included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def redacted_url(url: str | None) -> str:
    """A broker or database URL as logs may show it: user, host, port and path, never the password."""
    if not url:
        return ""
    parts = urlsplit(url)
    host = f"[{parts.hostname}]" if parts.hostname and ":" in parts.hostname else parts.hostname or ""
    netloc = f"{parts.username + '@' if parts.username else ''}{host}{f':{parts.port}' if parts.port else ''}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
