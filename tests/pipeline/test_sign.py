"""Signing and verification: PAdES B-B/B-T/B-LT, the Vietnamese stamp, tampering, and bad key configurations."""

from __future__ import annotations

import datetime as dt
import http.server
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pikepdf
import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from pipeline import pki
from pipeline.pdf import PdfInfo, PdfPage, build_searchable_pdf
from pipeline.sign import SigningError, load_pkcs12, sign_pdf
from pipeline.signing_setup import build_signing_setup
from pipeline.tesseract import Word
from pipeline.verify import verify_pdf
from schemas.settings import Settings

AGENCY = "Sở Nội vụ tỉnh Ninh Bình"


@dataclass
class Keys:
    folder: Path
    ca: pki.Issued

    def p12(self, issued: pki.Issued, name: str, password: bytes = b"mat-khau") -> Path:
        path = self.folder / f"{name}.p12"
        path.write_bytes(pki.pkcs12_bytes(issued, self.ca, password))
        return path

    @property
    def ca_pem(self) -> Path:
        path = self.folder / "ca.pem"
        path.write_bytes(self.ca.pem)
        return path


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    return Keys(tmp_path_factory.mktemp("keys"), pki.make_ca("Root CA TEST"))


@pytest.fixture(scope="module")
def agency_p12(keys: Keys) -> Path:
    return keys.p12(pki.issue(keys.ca, f"{AGENCY} TEST"), "agency")


@pytest.fixture(scope="module")
def unsigned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    page = np.full((1169, 827), 250, np.uint8)
    cv2.putText(page, "QUYET DINH", (250, 500), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 20, 3)
    jpeg = cv2.imencode(".jpg", page)[1].tobytes()
    words = [Word("QUYẾT", 250, 460, 150, 45, 95.0, 1, 1, 1), Word("ĐỊNH", 420, 460, 120, 45, 95.0, 1, 1, 1)]
    path = tmp_path_factory.mktemp("pdf") / "unsigned.pdf"
    build_searchable_pdf([PdfPage(jpeg, 827, 1169, 100, True, words)], PdfInfo(title="Quyết định"), path)
    return path


def _settings(tmp_path: Path, p12: Path, **extra: object) -> Settings:
    return Settings(data_dir=tmp_path, agency_name=AGENCY, sign_pkcs12=p12, sign_password="mat-khau", **extra)


def _sign(tmp_path: Path, unsigned: Path, settings: Settings) -> Path:
    signed = tmp_path / "signed.pdf"
    sign_pdf(unsigned, signed, build_signing_setup(settings))
    return signed


def test_b_b_signature_verifies_with_pyhanko_and_pdfsig(tmp_path, keys, agency_p12, unsigned):
    signed = _sign(tmp_path, unsigned, _settings(tmp_path, agency_p12))
    report = verify_pdf(signed, [keys.ca_pem])
    assert report.ok, report.problems
    (check,) = report.signatures
    assert (check.intact, check.trusted, check.covers_whole_file, check.timestamp) == (True, True, True, None)
    assert check.signer == f"{AGENCY} TEST"
    assert [(r.signature_valid, r.certificate_status) for r in report.pdfsig] == [(True, "Certificate is Trusted.")]


def test_one_flipped_byte_is_detected_by_both_verifiers(tmp_path, keys, agency_p12, unsigned):
    signed = _sign(tmp_path, unsigned, _settings(tmp_path, agency_p12))
    data = bytearray(signed.read_bytes())
    data[len(data) // 3] ^= 0x01
    signed.write_bytes(bytes(data))
    report = verify_pdf(signed, [keys.ca_pem])
    assert not report.ok
    assert any("integrity" in p for p in report.problems)
    assert any(p.startswith("pdfsig") and "Digest Mismatch" in p for p in report.problems)


def test_a_resave_by_another_library_is_detected(tmp_path, keys, agency_p12, unsigned):
    signed = _sign(tmp_path, unsigned, _settings(tmp_path, agency_p12))
    with pikepdf.open(signed) as pdf:
        pdf.docinfo["/Title"] = "đã sửa"
        pdf.save(tmp_path / "resaved.pdf")
    report = verify_pdf(tmp_path / "resaved.pdf", [keys.ca_pem])
    assert not report.ok and report.problems


def test_an_untrusted_signer_is_reported(tmp_path, agency_p12, unsigned):
    signed = _sign(tmp_path, unsigned, _settings(tmp_path, agency_p12))
    stranger = tmp_path / "other-ca.pem"
    stranger.write_bytes(pki.make_ca("Another CA").pem)
    report = verify_pdf(signed, [stranger])
    assert any("trusted root" in p for p in report.problems)


def _days(offset: int) -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(days=offset)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda ca: pki.issue(ca, "Expired TEST", not_before=_days(-400), not_after=_days(-2)), "expired"),
        (
            lambda ca: pki.issue(ca, "Future TEST", not_before=dt.datetime.now(dt.UTC) + dt.timedelta(days=30)),
            "not valid before",
        ),
        (lambda ca: pki.issue(ca, "No usage TEST", signing=False), "not allowed to make digital signatures"),
    ],
)
def test_unusable_certificates_are_refused_with_a_clear_message(keys, make, message):
    path = keys.p12(make(keys.ca), message.replace(" ", "-"))
    with pytest.raises(SigningError, match=message):
        load_pkcs12(path, b"mat-khau")


def test_wrong_password_and_missing_file_say_what_to_fix(tmp_path, agency_p12):
    with pytest.raises(SigningError, match="wrong password"):
        load_pkcs12(agency_p12, b"sai")
    with pytest.raises(SigningError, match="cannot read the signing key file"):
        load_pkcs12(tmp_path / "missing.p12", b"x")


def test_stamp_is_top_right_and_its_vietnamese_text_renders(tmp_path, agency_p12, unsigned):
    signed = _sign(tmp_path, unsigned, _settings(tmp_path, agency_p12, copy_type="SAO LỤC"))
    # Given the page rendered at 300 dpi, when the top-right corner is read by OCR, then it says the stamp
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-singlefile", "-f", "1", "-l", "1", str(signed), str(tmp_path / "page")],
        check=True,
    )
    page = cv2.imread(str(tmp_path / "page.png"), cv2.IMREAD_GRAYSCALE)
    height, width = page.shape
    corner = page[: height // 6, width // 2 :]
    assert (corner < 128).mean() > 0.005, "the stamp drew nothing"
    cv2.imwrite(str(tmp_path / "corner.png"), corner)
    text = subprocess.run(
        ["tesseract", str(tmp_path / "corner.png"), "-", "-l", "vie", "--psm", "6"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "LỤC" in text  # tesseract sometimes reads the 10 pt "SAO" as "SẠO"
    assert AGENCY in text  # every diacritic of the agency's name rendered
    assert "+07:00" in text
    left = page[: height // 6, : width // 2]
    assert (left < 128).mean() < 0.001, "nothing is stamped top-left without an operator key"


def test_operator_signs_top_left_before_the_agency(tmp_path, keys, agency_p12, unsigned):
    operator = keys.p12(pki.issue(keys.ca, "Nguyễn Văn Quét TEST"), "operator")
    settings = _settings(tmp_path, agency_p12, operator_pkcs12=operator, operator_password="mat-khau")
    report = verify_pdf(_sign(tmp_path, unsigned, settings), [keys.ca_pem])
    assert report.ok, report.problems
    assert [s.signer for s in report.signatures] == ["Nguyễn Văn Quét TEST", f"{AGENCY} TEST"]


class _TimestampHandler(http.server.BaseHTTPRequestHandler):
    stamper: DummyTimeStamper

    def do_POST(self) -> None:
        request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
        body = self.stamper.request_tsa_response(request).dump()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def tsa_url(keys: Keys) -> Iterator[str]:
    """An RFC 3161 timestamp authority over HTTP on a random loopback port."""
    tsa = pki.issue(keys.ca, "TSA TEST", timestamping=True, rsa_key=True)  # pyHanko's test TSA signs with RSA
    der_key = tsa.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    handler = type(
        "Handler",
        (_TimestampHandler,),
        {
            "stamper": DummyTimeStamper(
                tsa_cert=asn1_x509.Certificate.load(tsa.certificate.public_bytes(serialization.Encoding.DER)),
                tsa_key=asn1_keys.PrivateKeyInfo.load(der_key),
            )
        },
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tsa"
    finally:
        server.shutdown()
        server.server_close()


def test_b_t_with_a_timestamp_authority(tmp_path, keys, agency_p12, unsigned, tsa_url):
    settings = _settings(tmp_path, agency_p12, tsa_url=tsa_url)
    assert build_signing_setup(settings).level == "B-T"
    report = verify_pdf(_sign(tmp_path, unsigned, settings), [keys.ca_pem])
    assert report.ok, report.problems
    assert report.signatures[0].timestamp is not None and report.signatures[0].timestamp.endswith("+07:00")


def test_b_lt_embeds_revocation_data(tmp_path, keys, agency_p12, unsigned, tsa_url):
    crl = tmp_path / "ca.crl"
    crl.write_bytes(pki.crl_bytes(keys.ca))
    settings = _settings(tmp_path, agency_p12, tsa_url=tsa_url, revocation_crls=[crl], trust_roots=[keys.ca_pem])
    assert build_signing_setup(settings).level == "B-LT"
    signed = _sign(tmp_path, unsigned, settings)
    with pikepdf.open(signed) as pdf:
        assert "/DSS" in pdf.Root and len(pdf.Root.DSS.CRLs) >= 1
    report = verify_pdf(signed, [keys.ca_pem])
    assert report.ok, report.problems


def test_b_lt_without_a_timestamp_authority_is_a_configuration_error(tmp_path, agency_p12):
    with pytest.raises(SigningError, match="SOHOA_TSA_URL"):
        build_signing_setup(_settings(tmp_path, agency_p12, revocation_crls=[tmp_path / "x.crl"]))


def test_pdfsig_is_installed():
    assert shutil.which("pdfsig") and shutil.which("certutil")


SOFTHSM = Path("/usr/lib/softhsm/libsofthsm2.so")


@pytest.fixture(scope="module")
def token(tmp_path_factory: pytest.TempPathFactory, keys: Keys) -> Iterator[Path]:
    """A real PKCS#11 token (SoftHSM 2) holding the agency's key and certificate; yields the PIN file.

    The PKCS#11 library is loaded once per process, so one token configuration serves the module.
    """
    if not SOFTHSM.exists() or shutil.which("softhsm2-util") is None:
        from tests.conftest import unavailable

        unavailable("SoftHSM 2 is not installed (apt-get install softhsm2)")
    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass

    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    config = folder / "softhsm2.conf"
    config.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(config)
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", "sohoa", "--pin", "1234", "--so-pin", "5678"],
        check=True,
        capture_output=True,
    )
    agency = pki.issue(keys.ca, "Token UBND TEST")
    key_pem = folder / "key.pem"
    key_pem.write_bytes(
        agency.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    subprocess.run(
        [
            "softhsm2-util",
            "--import",
            str(key_pem),
            "--token",
            "sohoa",
            "--label",
            "agency",
            "--id",
            "01",
            "--pin",
            "1234",
        ],
        check=True,
        capture_output=True,
    )
    key_pem.unlink()
    certificate = agency.certificate
    with pkcs11.lib(str(SOFTHSM)).get_token(token_label="sohoa").open(user_pin="1234", rw=True) as session:
        session.create_object(
            {
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.VALUE: certificate.public_bytes(serialization.Encoding.DER),
                Attribute.LABEL: "agency",
                Attribute.SUBJECT: certificate.subject.public_bytes(),
                Attribute.ID: b"\x01",
                Attribute.TOKEN: True,
            }
        )
    pin = folder / "pin"
    pin.write_text("1234\n")
    yield pin
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


def _token_settings(tmp_path: Path, pin: Path, key: str = "agency") -> Settings:
    return Settings(
        data_dir=tmp_path,
        sign_pkcs11_module=SOFTHSM,
        sign_pkcs11_token="sohoa",
        sign_pkcs11_key=key,
        sign_pkcs11_pin_file=pin,
    )


def test_signing_with_a_pkcs11_token(tmp_path, keys, unsigned, token):
    setup = build_signing_setup(_token_settings(tmp_path, token))
    try:
        sign_pdf(unsigned, tmp_path / "signed.pdf", setup)
    finally:
        setup.signer.pkcs11_session.close()  # one login per token and process
    report = verify_pdf(tmp_path / "signed.pdf", [keys.ca_pem])
    assert report.ok, report.problems
    assert report.signatures[0].signer == "Token UBND TEST"


def test_a_wrong_token_pin_is_a_clear_error(tmp_path, token):
    wrong_pin = tmp_path / "wrong-pin"
    wrong_pin.write_text("0000\n")
    with pytest.raises(SigningError, match=r"cannot use the PKCS#11 token: .*PinIncorrect"):
        build_signing_setup(_token_settings(tmp_path, wrong_pin))


def test_b_lta_adds_a_document_timestamp(tmp_path, keys, agency_p12, unsigned, tsa_url):
    crl = tmp_path / "ca.crl"
    crl.write_bytes(pki.crl_bytes(keys.ca))
    settings = _settings(
        tmp_path, agency_p12, tsa_url=tsa_url, revocation_crls=[crl], trust_roots=[keys.ca_pem], pades_lta=True
    )
    assert build_signing_setup(settings).level == "B-LTA"
    signed = _sign(tmp_path, unsigned, settings)
    report = verify_pdf(signed, [keys.ca_pem])
    assert report.ok, report.problems
    assert report.signatures[0].timestamp is not None
    assert report.document_timestamps == 1
