"""The one typed settings object, read once from SOHOA_* environment variables and passed down."""

from __future__ import annotations

import json
import os
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from schemas.errors import ConfigurationError

ENV_PREFIX = "SOHOA_"
#: Settings that once existed, and why they went: set, they are refused with this reason.
REMOVED = {
    "web_secret_key": "web sessions are random ids kept server-side, so nothing is signed with a key",
}


class SettingsError(ConfigurationError, ValueError):
    """The configuration cannot be used; the message says which variable and why."""


class Settings(BaseModel):
    """Every knob sohoa has. Unknown keys are refused so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    data_dir: Path = Field(Path("sohoa-data"), description="Embedded catalog and object store live here.")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default SQLite under data_dir.")
    broker_url: str | None = Field(None, description="amqp:// or redis://; default in-process broker.")
    s3_endpoint: str | None = Field(None, description="host:port of the S3 server; default the local folder store.")
    s3_access_key: str | None = None
    s3_secret_key: SecretStr | None = None
    s3_secure: bool = Field(True, description="Use TLS to reach the S3 endpoint.")
    s3_bucket_prefix: str = Field("sohoa-", description="Prefix of the incoming, work and archive bucket names.")
    s3_ca_file: Path | None = Field(None, description="CA bundle that signs the S3 endpoint's TLS certificate.")
    s3_cert_check: bool = Field(True, description="Verify the S3 endpoint's TLS certificate.")
    archive_retention_mode: Literal["GOVERNANCE", "COMPLIANCE"] | None = Field(
        "GOVERNANCE", description="Object-lock mode of archived objects; COMPLIANCE cannot be shortened by anyone."
    )
    archive_retention_days: int = Field(
        3650, ge=0, description="Archived objects cannot be deleted or overwritten for this many days (0: no lock)."
    )
    archive_retention_days_by_type: dict[str, typing.Annotated[int, Field(ge=0)]] = Field(
        default_factory=dict,
        description=(
            "Retention days per document type (type_name, diacritics and case optional), e.g. "
            '{"giấy phép xây dựng": 36500}; other types get archive_retention_days. JSON in the environment.'
        ),
    )
    lease_seconds: float = Field(
        900.0, gt=0, description="A document with no progress for this long is re-enqueued by the sweeper."
    )
    ingest_time_limit_s: float = Field(120.0, gt=0, description="Time limit of the ingest step.")
    page_time_limit_s: float = Field(600.0, gt=0, description="Time limit of one page's processing.")
    assemble_time_limit_s: float = Field(600.0, gt=0, description="Time limit of building, signing and archiving.")
    watch_stable_seconds: float = Field(
        5.0, ge=0, description="The hot folder takes a file once its size has not changed for this long."
    )
    workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        ge=0,
        le=256,
        description="Pages processed in parallel by this process; 0 leaves the work to `sohoa worker` processes.",
    )

    web_host: str = Field("127.0.0.1", description="Address `sohoa serve` listens on.")
    web_port: int = Field(8000, ge=1, le=65535, description="Port `sohoa serve` listens on.")
    web_session_hours: float = Field(
        2.0, gt=0, description="A login ends after this long without a request (the idle timeout)."
    )
    web_session_max_hours: float = Field(12.0, gt=0, description="A login ends this long after it began, however busy.")
    web_token_days: float = Field(90.0, gt=0, description="API tokens stop working this long after they are issued.")
    web_cookie_secure: bool = Field(False, description="Send cookies over HTTPS only (set behind a TLS proxy).")
    web_login_attempts: int = Field(5, ge=1, description="Failed logins allowed per user and address per window.")
    web_login_account_attempts: int = Field(
        20, ge=1, description="Failed logins allowed per user per window, whatever the addresses they come from."
    )
    web_trusted_proxies: list[str] = Field(
        default_factory=list,
        description=(
            "Addresses (or CIDR ranges) of the reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are "
            "believed; empty (the default): none, every caller is its own socket address."
        ),
    )
    web_login_window_s: float = Field(300.0, gt=0, description="The window of the login rate limit.")
    upload_max_files: int = Field(500, ge=1, description="Files one upload may carry.")
    audit_key_file: Path | None = Field(
        None,
        description=(
            "Key of the HMAC over secret settings in `config_changed` events; default data_dir/audit-hmac.key, "
            "made on first use. Give every process of a deployment the same file."
        ),
    )

    tesseract_cmd: str = "tesseract"
    tessdata_dir: Path | None = Field(None, description="Folder with the OCR models; default tesseract's own.")
    ocr_language: str = Field("vie", description="Tesseract model name, e.g. vie, vie_best, Vietnamese.")
    ocr_dpi: int = Field(300, ge=150, le=600, description="Pages are resampled to this resolution for OCR.")
    ocr_timeout_s: float = Field(180.0, gt=0)
    osd_min_confidence: float = Field(
        1.5, ge=0, description="Below this OSD confidence, the page is read in all four turns to find its way up."
    )
    orientation_check_confidence: float = Field(
        0.75,
        ge=0,
        le=1,
        description="A page read with a lower mean word confidence is read again turned by 180° to check its way up.",
    )

    min_dpi: int = Field(200, description="Scans below this resolution get a warning (TT 02/2019).")
    max_file_bytes: int = Field(1 << 30, ge=1)
    max_page_pixels: int = Field(150_000_000, ge=1, description="Larger pages are refused as likely bombs.")
    max_pages: int = Field(2000, ge=1)
    jpeg_quality: int = Field(80, ge=30, le=100, description="Quality of the colour page images archived.")

    review_threshold: float = Field(
        0.7, ge=0, le=1, description="A required field below this confidence sends the document to review."
    )

    result_code_format: str = Field(
        "{dossier_code}-KQ{n}", description="Result code (Decree 45 Art. 14.3); {dossier_code} and {n} are filled."
    )

    agency_name: str = Field("Cơ quan thử nghiệm sohoa (TEST)", description="Copying agency shown on the stamp.")
    copy_type: Literal["SAO Y", "SAO LỤC", "TRÍCH SAO"] = "SAO Y"
    sign_pkcs12: Path | None = Field(None, description="Agency key and certificate; default a generated TEST one.")
    sign_password: SecretStr | None = Field(None, description="PKCS#12 password (or use sign_password_file).")
    sign_password_file: Path | None = None
    sign_pkcs11_module: Path | None = Field(None, description="PKCS#11 library of a USB token or HSM.")
    sign_pkcs11_token: str | None = Field(None, description="Token label (or use sign_pkcs11_slot).")
    sign_pkcs11_slot: int | None = None
    sign_pkcs11_key: str | None = Field(None, description="Label of the signing key and its certificate.")
    sign_pkcs11_pin_file: Path | None = None
    trust_roots: list[Path] = Field(default_factory=list, description="PEM/DER CA certificates trusted by verify.")
    tsa_url: str | None = Field(None, description="RFC 3161 timestamp authority; makes signatures PAdES B-T.")
    tsa_username: str | None = None
    tsa_password: SecretStr | None = None
    revocation_crls: list[Path] = Field(default_factory=list, description="CRL files to embed (PAdES B-LT).")
    revocation_fetch: bool = Field(False, description="Fetch CRL/OCSP online for PAdES B-LT.")
    pades_lta: bool = Field(False, description="Add a document timestamp (PAdES B-LTA); needs tsa_url.")
    stamp_font: Path | None = Field(None, description="TrueType/OpenType font for the stamp; must cover Vietnamese.")
    operator_pkcs12: Path | None = Field(None, description="Scanning operator's personal key (top-left signature).")
    operator_password: SecretStr | None = None

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
        for name, value in values.items():
            field = cls.model_fields.get(name)
            if field is not None and isinstance(value, str) and typing.get_origin(field.annotation) is list:
                values[name] = [part for part in value.split(",") if part]
            elif field is not None and isinstance(value, str) and typing.get_origin(field.annotation) is dict:
                try:
                    values[name] = json.loads(value)
                except ValueError as exc:
                    raise SettingsError(f"{ENV_PREFIX}{name.upper()}: not a JSON object: {exc}") from None
        for name in REMOVED.keys() & values.keys():
            raise SettingsError(f"{ENV_PREFIX}{name.upper()} is no longer used: {REMOVED[name]}; remove it")
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            problems = "; ".join(
                f"{ENV_PREFIX}{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors()
            )
            raise SettingsError(f"invalid configuration: {problems}") from None


def redacted_url(url: str | None) -> str:
    """A broker or database URL as logs may show it: user, host, port and path, never the password."""
    if not url:
        return ""
    parts = urlsplit(url)
    host = f"[{parts.hostname}]" if parts.hostname and ":" in parts.hostname else parts.hostname or ""
    netloc = f"{parts.username + '@' if parts.username else ''}{host}{f':{parts.port}' if parts.port else ''}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
