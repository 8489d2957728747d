"""The loader under fuzzing: mutated PDF, TIFF, PNG and JPEG scans load as a page or are rejected with a code.

Hypothesis flips, overwrites, drops and inserts bytes of small valid scans of each format, a fixed number of
examples with a fixed seed (so CI runs the same inputs each time, in seconds). `SOHOA_FUZZ_EXAMPLES=5000`
runs longer with fresh randomness. Any file that ever broke the loader is kept in `fuzz_regressions/` and
loaded on every run.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from pipeline.errors import InputRejected
from pipeline.load import MIN_SIDE_PX, Limits, load_page, probe_source

#: Pillow warns about the damage it skips over ("Corrupt EXIF data", "Truncated File Read"); the outcome is
#: what counts here, and the suite turns warnings into errors.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:PIL")
REGRESSIONS = Path(__file__).with_name("fuzz_regressions")
#: Small limits keep a mutated header that claims a vast page quick to refuse.
LIMITS = Limits(max_file_bytes=10 << 20, max_page_pixels=8_000_000, max_pages=50)
EXAMPLES = int(os.environ.get("SOHOA_FUZZ_EXAMPLES", "0"))
FUZZ = settings(
    max_examples=EXAMPLES or 400,
    derandomize=not EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _scan() -> Image.Image:
    page = Image.new("RGB", (170, 240), (250, 250, 245))
    page.paste((20, 20, 20), (20, 30, 150, 36))
    page.paste((200, 30, 30), (100, 180, 150, 220))  # a red seal
    return page


def _seed(fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "TIFF":
        _scan().save(out, format="TIFF", save_all=True, append_images=[_scan().convert("L")], dpi=(100, 100))
    else:
        _scan().save(out, format=fmt, resolution=100.0) if fmt == "PDF" else _scan().save(out, format=fmt)
    return out.getvalue()


SEEDS = {fmt: _seed(fmt) for fmt in ("PDF", "TIFF", "PNG", "JPEG")}


@st.composite
def mutations(draw: st.DrawFn, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["flip", "overwrite", "truncate", "insert", "delete"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "overwrite":
            data[at : at + 4] = draw(st.sampled_from([b"\x00", b"\xff\xff\xff\xff", b"\x7f\xff\xff\xff", b"9999"]))
        elif kind == "truncate":
            del data[at:]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 64))]
    return bytes(data)


def assert_loads_or_is_rejected(path: Path) -> None:
    """Every page decodes to 8-bit colour of a plausible size, or the file is refused with a code."""
    try:
        probe = probe_source(path, LIMITS)
        for number in range(1, min(probe.page_count, 3) + 1):
            page = load_page(path, probe, number, LIMITS)
            assert page.image.dtype == np.uint8 and page.image.ndim == 3 and page.image.shape[2] == 3
            assert min(page.image.shape[:2]) >= MIN_SIDE_PX and page.dpi > 0
    except InputRejected as rejected:
        assert rejected.code and str(rejected)


@pytest.mark.parametrize("fmt", sorted(SEEDS))
def test_every_seed_loads(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"seed.{fmt.lower()}"
    path.write_bytes(SEEDS[fmt])
    probe = probe_source(path, LIMITS)
    assert load_page(path, probe, 1, LIMITS).image.shape[:2] in ((240, 170), (667, 472))


@pytest.mark.parametrize("fmt", sorted(SEEDS))
def test_a_mutated_scan_loads_or_is_rejected_with_a_code(tmp_path: Path, fmt: str) -> None:
    found: dict[str, bytes] = {}  # each kind of failure, by its smallest input

    @FUZZ
    @given(data=mutations(SEEDS[fmt]))
    def check(data: bytes) -> None:
        path = tmp_path / f"mutant.{fmt.lower()}"
        path.write_bytes(data)
        try:
            assert_loads_or_is_rejected(path)
        except Exception as exc:
            kind = f"{type(exc).__name__}: {str(exc)[:60]}"
            if kind not in found or len(data) < len(found[kind]):
                found[kind] = data
            raise

    try:
        check()
    finally:
        if EXAMPLES:  # a long run keeps what it found, to be committed with the fix
            for data in found.values():
                (REGRESSIONS / f"{fmt.lower()}-{hashlib.sha256(data).hexdigest()[:12]}.{fmt.lower()}").write_bytes(data)


@pytest.mark.parametrize("path", sorted(REGRESSIONS.glob("*.*")), ids=lambda p: p.name)
def test_what_fuzzing_once_found_stays_fixed(path: Path) -> None:
    assert_loads_or_is_rejected(path)
