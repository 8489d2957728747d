"""The agency's signing setup from the settings: PKCS#12, PKCS#11 token, or a generated TEST key on first run."""

from __future__ import annotations

import fcntl
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from pyhanko.keys import load_cert_from_pemder
from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper
from pyhanko_certvalidator import ValidationContext

from pipeline import pki
from pipeline.sign import SigningError, SigningSetup, check_certificate, load_pkcs12
from schemas.settings import Settings

log = logging.getLogger(__name__)

TEST_WARNING = (
    "signing with the generated TEST certificate in {folder}: signatures are not legally valid. "
    "Set SOHOA_SIGN_PKCS12 (or SOHOA_SIGN_PKCS11_MODULE) to the agency's key for production."
)


@dataclass(frozen=True)
class DemoKeys:
    """Where the embedded TEST key material lives."""

    folder: Path

    @property
    def pkcs12(self) -> Path:
        return self.folder / "agency-TEST.p12"

    @property
    def password_file(self) -> Path:
        return self.folder / "agency-TEST.password"

    @property
    def ca(self) -> Path:
        return self.folder / "ca-TEST.pem"

    def complete(self) -> bool:
        return self.pkcs12.is_file() and self.password_file.is_file() and self.ca.is_file()


def ensure_demo_keys(folder: Path, agency_name: str) -> DemoKeys:
    """Make a TEST CA and agency certificate once; later runs reuse them.

    Several processes may start on a new data folder at once (workers, `sohoa dlq`, the web app): one
    makes the keys under a file lock while the others wait, and each file appears whole (written aside,
    then renamed), the PKCS#12 last, so a complete set is always a matching one.
    """
    keys = DemoKeys(folder)
    if keys.complete():
        return keys
    folder.mkdir(parents=True, exist_ok=True)
    lock = os.open(folder, os.O_RDONLY)  # the folder itself is the lock, so no lock file is left behind
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if keys.complete():
            return keys
        ca = pki.make_ca()
        agency = pki.issue(ca, agency_name if "TEST" in agency_name else f"{agency_name} - TEST")
        password = secrets.token_urlsafe(18).encode()
        _write_private(keys.ca, ca.pem, 0o644)
        _write_private(keys.password_file, password, 0o600)
        _write_private(keys.pkcs12, pki.pkcs12_bytes(agency, ca, password), 0o600)
    finally:
        os.close(lock)
    return keys


def _write_private(path: Path, data: bytes, mode: int) -> None:
    part = path.with_name(f".part-{path.name}")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(part, path)


def uses_test_key(settings: Settings) -> bool:
    return settings.sign_pkcs12 is None and settings.sign_pkcs11_module is None


def trust_roots(settings: Settings) -> list[Path]:
    """Configured roots; with the TEST key, its CA as well."""
    roots = list(settings.trust_roots)
    if uses_test_key(settings):
        roots.append(ensure_demo_keys(settings.data_dir / "keys", settings.agency_name).ca)
    return roots


def build_signing_setup(settings: Settings) -> SigningSetup:
    """Load and check the keys now, so a bad configuration stops the run before any document is processed."""
    signer = _agency_signer(settings)
    roots = [load_cert_from_pemder(str(p)) for p in trust_roots(settings)]
    timestamper = None
    if settings.tsa_url:
        password = settings.tsa_password.get_secret_value() if settings.tsa_password else None
        auth = (settings.tsa_username, password) if settings.tsa_username else None
        timestamper = RequestsHTTPTimeStamper(settings.tsa_url, auth=auth, timeout=30)
    long_term = bool(settings.revocation_crls or settings.revocation_fetch)
    if long_term and timestamper is None:
        raise SigningError("PAdES B-LT needs a timestamp authority: set SOHOA_TSA_URL")
    context = None
    if long_term:
        crls = [p.read_bytes() for p in settings.revocation_crls]
        context = ValidationContext(trust_roots=roots, crls=crls, allow_fetching=settings.revocation_fetch)
    operator = None
    if settings.operator_pkcs12 is not None:
        operator_password = (
            settings.operator_password.get_secret_value().encode() if settings.operator_password else None
        )
        operator = load_pkcs12(settings.operator_pkcs12, operator_password)
    return SigningSetup(
        signer=signer,
        agency_name=settings.agency_name,
        copy_type=settings.copy_type,
        font=settings.stamp_font,
        timestamper=timestamper,
        validation_context=context,
        document_timestamp=settings.pades_lta,
        operator=operator,
    )


def _agency_signer(settings: Settings):
    if settings.sign_pkcs11_module is not None:
        return _pkcs11_signer(settings)
    if settings.sign_pkcs12 is None:
        keys = ensure_demo_keys(settings.data_dir / "keys", settings.agency_name)
        log.info(TEST_WARNING.format(folder=keys.folder))
        return load_pkcs12(keys.pkcs12, keys.password_file.read_bytes())
    return load_pkcs12(settings.sign_pkcs12, _secret(settings.sign_password, settings.sign_password_file))


def _secret(value, file: Path | None) -> bytes | None:
    if value is not None:
        return value.get_secret_value().encode()
    if file is not None:
        try:
            return file.read_bytes().strip()
        except OSError as exc:
            raise SigningError(f"cannot read the password file {file}: {exc.strerror}") from None
    return None


def _pkcs11_signer(settings: Settings):
    try:
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session
    except ImportError:
        raise SigningError("PKCS#11 signing needs python-pkcs11: pip install 'pyhanko[pkcs11]'") from None
    pin = _secret(None, settings.sign_pkcs11_pin_file)
    try:
        criteria = TokenCriteria(label=settings.sign_pkcs11_token) if settings.sign_pkcs11_token else None
        session = open_pkcs11_session(
            str(settings.sign_pkcs11_module),
            slot_no=settings.sign_pkcs11_slot,
            token_criteria=criteria,
            user_pin=pin.decode() if pin else None,
        )
        signer = PKCS11Signer(session, key_label=settings.sign_pkcs11_key, cert_label=settings.sign_pkcs11_key)
        certificate = signer.signing_cert
        if certificate.public_key.algorithm == "ec":  # many tokens (SoftHSM too) only sign raw ECDSA digests
            signer = PKCS11Signer(
                session, key_label=settings.sign_pkcs11_key, cert_label=settings.sign_pkcs11_key, use_raw_mechanism=True
            )
    except Exception as exc:  # the token library raises its own types
        detail = f"{type(exc).__name__}: {exc}".rstrip(": ")
        raise SigningError(f"cannot use the PKCS#11 token: {detail}") from exc
    check_certificate(certificate)
    return signer
