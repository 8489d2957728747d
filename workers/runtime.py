"""The objects every actor needs (settings, catalog, object store), chosen once from the settings.

The OCR, imaging and signing libraries are imported where a runtime is built or a page's options are asked
for: a command that only reads the catalog (search, report) opens it without them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from schemas.settings import Settings
from storage.catalog import Catalog
from storage.layout import ARCHIVE
from storage.local_store import LocalFolderStore
from storage.objects import ObjectStore, RetentionPolicy

if TYPE_CHECKING:
    from pipeline.load import Limits
    from pipeline.page import PageOptions
    from pipeline.sign import SigningSetup
    from pipeline.tesseract import TesseractConfig


@dataclass(frozen=True)
class Runtime:
    """Settings plus the backends they select; actors reach it through `current()`."""

    settings: Settings
    catalog: Catalog
    store: ObjectStore
    signing: SigningSetup

    @property
    def limits(self) -> Limits:
        from pipeline.load import Limits

        s = self.settings
        return Limits(max_file_bytes=s.max_file_bytes, max_page_pixels=s.max_page_pixels, max_pages=s.max_pages)

    @property
    def page_options(self) -> PageOptions:
        from pipeline.orient import OrientationOptions
        from pipeline.page import PageOptions

        s = self.settings
        return PageOptions(
            tesseract=tesseract_config(s),
            ocr_dpi=s.ocr_dpi,
            orientation=OrientationOptions(s.osd_min_confidence, s.orientation_check_confidence),
            min_dpi=s.min_dpi,
            jpeg_quality=s.jpeg_quality,
        )


def tesseract_config(settings: Settings) -> TesseractConfig:
    from pipeline.tesseract import TesseractConfig

    return TesseractConfig(
        cmd=settings.tesseract_cmd,
        tessdata_dir=settings.tessdata_dir,
        language=settings.ocr_language,
        timeout_s=settings.ocr_timeout_s,
    )


def build_runtime(settings: Settings) -> Runtime:
    """The one place where the catalog and object store are chosen from the settings.

    Settings that differ from those last recorded are logged as a `config_changed` audit event.
    """
    import cv2

    from pipeline.signing_setup import build_signing_setup
    from storage.audit_settings import record_config_change

    # Pages are the unit of parallel work; OpenCV's own thread pool would only compete with tesseract.
    cv2.setNumThreads(1)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    signing = build_signing_setup(settings)
    catalog = open_catalog(settings)
    record_config_change(catalog, settings)
    return Runtime(settings=settings, catalog=catalog, store=open_store(settings), signing=signing)


def open_catalog(settings: Settings) -> Catalog:
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return Catalog(settings.catalog_url)


def open_store(settings: Settings) -> ObjectStore:
    """S3 when SOHOA_S3_ENDPOINT is set, else the local folder under the data folder.

    The archive bucket is under object lock when a retention mode and a number of days (by default or for
    some document type) are set.
    """
    mode, days = settings.archive_retention_mode, settings.archive_retention_days
    retains = days > 0 or any(n > 0 for n in settings.archive_retention_days_by_type.values())
    locked = {ARCHIVE: RetentionPolicy(mode, days)} if mode is not None and retains else {}
    if settings.s3_endpoint is None:
        return LocalFolderStore(settings.data_dir / "objects", locked_buckets=locked)
    from storage.s3 import S3Store

    secret = settings.s3_secret_key.get_secret_value() if settings.s3_secret_key else ""
    return S3Store.connect(
        settings.s3_endpoint,
        settings.s3_access_key or "",
        secret,
        secure=settings.s3_secure,
        bucket_prefix=settings.s3_bucket_prefix,
        ca_file=settings.s3_ca_file,
        cert_check=settings.s3_cert_check,
        locked_buckets=locked,
    )


_current: Runtime | None = None


def install(runtime: Runtime) -> None:
    global _current
    _current = runtime


def current() -> Runtime:
    if _current is None:
        raise RuntimeError("the sohoa runtime is not configured; call workers.runtime.install() first")
    return _current
