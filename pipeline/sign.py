"""PAdES signing with pyHanko: key loading with clear errors, and the Decree 30 "SAO Y" stamp, top-right."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pikepdf
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext

from pipeline.errors import StageError
from schemas.errors import ConfigurationError
from schemas.times import VIETNAM

STAMP_FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf"),
    Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"),
)
#: Stamp box in points: wide enough for an agency name, three lines of 10 pt (Decree 30 asks 10 pt).
STAMP_WIDTH, STAMP_HEIGHT, STAMP_MARGIN = 230.0, 48.0, 8.0


class SigningError(StageError, ConfigurationError):
    """The signing key or certificate cannot be used; the document stays unsigned and unarchived."""

    code = "signing_failed"


@dataclass(frozen=True)
class SignedBy:
    """Who signed and when, as recorded in the document record."""

    signer: str
    signed_at: dt.datetime


@dataclass(frozen=True)
class SigningSetup:
    """Everything needed to sign: the agency's key, what its stamp says, and the PAdES level's extras."""

    signer: signers.Signer
    agency_name: str
    copy_type: str = "SAO Y"
    font: Path | None = None
    timestamper: TimeStamper | None = None
    validation_context: ValidationContext | None = None
    document_timestamp: bool = False
    operator: signers.Signer | None = None

    @property
    def level(self) -> str:
        """The PAdES baseline level these settings produce."""
        if self.validation_context is not None and self.timestamper is not None:
            return "B-LTA" if self.document_timestamp else "B-LT"
        return "B-T" if self.timestamper is not None else "B-B"


def subject_name(certificate: asn1_x509.Certificate) -> str:
    return certificate.subject.native.get("common_name") or certificate.subject.human_friendly


def check_certificate(certificate: asn1_x509.Certificate, *, now: dt.datetime | None = None) -> None:
    """Refuse a certificate that is expired, not yet valid, or not meant for digital signatures."""
    now = now or dt.datetime.now(dt.UTC)
    validity = certificate["tbs_certificate"]["validity"]
    not_before, not_after = validity["not_before"].native, validity["not_after"].native
    name = subject_name(certificate)
    if now > not_after:
        raise SigningError(f"the signing certificate of {name!r} expired on {not_after:%Y-%m-%d}")
    if now < not_before:
        raise SigningError(f"the signing certificate of {name!r} is not valid before {not_before:%Y-%m-%d}")
    usage = certificate.key_usage_value
    if usage is not None and "digital_signature" not in usage.native and "non_repudiation" not in usage.native:
        raise SigningError(f"the certificate of {name!r} is not allowed to make digital signatures (key usage)")


def load_pkcs12(path: Path, password: bytes | None) -> signers.SimpleSigner:
    """The agency's signer from a PKCS#12 file, checked; every failure says what to fix."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SigningError(f"cannot read the signing key file {path}: {exc.strerror}") from None
    try:
        signer = signers.SimpleSigner.load_pkcs12_data(data, other_certs=[], passphrase=password)
    except ValueError:
        raise SigningError(f"cannot open {path}: wrong password, or not a PKCS#12 file") from None
    if signer.signing_cert is None or signer.signing_key is None:
        raise SigningError(f"{path} holds no private key with its certificate")
    check_certificate(signer.signing_cert)
    return signer


def stamp_font(configured: Path | None) -> Path:
    candidates = (configured,) if configured else STAMP_FONT_CANDIDATES
    for candidate in candidates:
        if candidate is not None and candidate.is_file():
            return candidate
    raise SigningError(f"no stamp font found (tried {', '.join(map(str, candidates))}); install fonts-noto-core")


def sign_pdf(source: Path, target: Path, setup: SigningSetup) -> SignedBy:
    """Sign `source` into `target`. This is the last write: anything that re-saves the file breaks it."""
    width, height = _first_page_size(source)
    signed_at = dt.datetime.now(VIETNAM).replace(microsecond=0)
    data = source.read_bytes()
    if setup.operator is not None:
        operator_box = (
            STAMP_MARGIN,
            height - STAMP_MARGIN - STAMP_HEIGHT,
            STAMP_MARGIN + STAMP_WIDTH,
            height - STAMP_MARGIN,
        )
        operator_text = f"Người quét: {subject_name(setup.operator.signing_cert)}\n{signed_at.isoformat()}"
        data = _sign_once(data, setup.operator, "Operator", operator_box, operator_text, setup, final=False)
    agency_box = (
        width - STAMP_MARGIN - STAMP_WIDTH,
        height - STAMP_MARGIN - STAMP_HEIGHT,
        width - STAMP_MARGIN,
        height - STAMP_MARGIN,
    )
    agency_text = f"{setup.copy_type}\n{setup.agency_name}\n{signed_at.isoformat()}"
    target.write_bytes(_sign_once(data, setup.signer, "SaoY", agency_box, agency_text, setup, final=True))
    return SignedBy(signer=subject_name(setup.signer.signing_cert), signed_at=signed_at)


def _sign_once(
    data: bytes,
    signer: signers.Signer,
    field_name: str,
    box: tuple[float, float, float, float],
    text: str,
    setup: SigningSetup,
    *,
    final: bool,
) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    spec = fields.SigFieldSpec(field_name, box=box, on_page=0)  # type: ignore[arg-type]  # points; pyHanko takes floats
    fields.append_signature_field(writer, spec)
    long_term = final and setup.validation_context is not None
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        embed_validation_info=long_term,
        validation_context=setup.validation_context if long_term else None,
        use_pades_lta=long_term and setup.document_timestamp,
    )
    font = _font_factory(stamp_font(setup.font))
    style = TextStampStyle(stamp_text="%(text)s", text_box_style=TextBoxStyle(font=font, font_size=10), border_width=1)
    pdf_signer = signers.PdfSigner(metadata, signer=signer, timestamper=setup.timestamper, stamp_style=style)
    out = io.BytesIO()
    try:
        pdf_signer.sign_pdf(writer, output=out, appearance_text_params={"text": text})
    except Exception as exc:  # pyHanko raises many kinds; all mean this document was not signed
        raise SigningError(f"signing failed: {exc}") from exc
    return out.getvalue()


class _InMemoryFontFactory(GlyphAccumulatorFactory):
    """pyHanko's factory opens the font file for every stamp and never closes it; read it once instead."""

    def create_font_engine(self, writer, obj_stream=None) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
            obj_stream = writer.prepare_object_stream()
        return GlyphAccumulator(
            writer=writer,
            font_handle=io.BytesIO(_font_bytes(self.font_file)),
            font_size=self.font_size,
            obj_stream=obj_stream,
        )


@cache
def _font_bytes(path: str) -> bytes:
    return Path(path).read_bytes()


def _font_factory(path: Path) -> GlyphAccumulatorFactory:
    return _InMemoryFontFactory(str(path))


def _first_page_size(path: Path) -> tuple[float, float]:
    with pikepdf.open(path) as pdf:
        box = pdf.pages[0].mediabox
        return float(box[2]) - float(box[0]), float(box[3]) - float(box[1])
