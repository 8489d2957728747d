"""The only place sohoa runs poppler's `pdfsig`: a second, independent verifier of PDF signatures.

pdfsig exits 0 even on "Digest Mismatch", so its text is parsed, never its exit status.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PdfsigSignature:
    """What pdfsig says of one signature."""

    field: str
    signature_valid: bool
    signature_status: str
    certificate_status: str
    whole_document: bool


def parse_pdfsig(output: str) -> list[PdfsigSignature]:
    """Each `Signature #N:` block of pdfsig's report."""
    results = []
    for block in re.split(r"^Signature #\d+:\s*$", output, flags=re.MULTILINE)[1:]:
        field = re.search(r"Signature Field Name:\s*(.+)", block)
        status = re.search(r"Signature Validation:\s*(.+)", block)
        certificate = re.search(r"Certificate Validation:\s*(.+)", block)
        status_text = status.group(1).strip() if status else "missing"
        results.append(
            PdfsigSignature(
                field=field.group(1).strip() if field else "",
                signature_valid=status_text == "Signature is Valid.",
                signature_status=status_text,
                certificate_status=certificate.group(1).strip() if certificate else "missing",
                whole_document="Total document signed" in block,
            )
        )
    return results


def available() -> bool:
    return shutil.which("pdfsig") is not None


def checks_trust(trust_roots: list[Path]) -> bool:
    """Whether pdfsig will judge the chain against `trust_roots` (it needs certutil to load them)."""
    return bool(trust_roots) and shutil.which("certutil") is not None


def run_pdfsig(pdf: Path, trust_roots: list[Path]) -> list[PdfsigSignature]:
    """pdfsig's verdict, with the trust roots in a throwaway NSS database when certutil is installed."""
    with tempfile.TemporaryDirectory(prefix="sohoa-nss-") as nss:
        args = ["pdfsig"]
        if checks_trust(trust_roots):
            _nss_database(Path(nss), trust_roots)
            args += ["-nssdir", f"sql:{nss}"]
        done = subprocess.run([*args, str(pdf)], capture_output=True, text=True, timeout=120, check=False)
    return parse_pdfsig(done.stdout)


def _nss_database(folder: Path, trust_roots: list[Path]) -> None:
    subprocess.run(["certutil", "-N", "-d", f"sql:{folder}", "--empty-password"], check=True, capture_output=True)
    for index, root in enumerate(trust_roots):
        subprocess.run(
            ["certutil", "-A", "-d", f"sql:{folder}", "-n", f"root{index}", "-t", "CT,C,C", "-a", "-i", str(root)],
            check=True,
            capture_output=True,
        )
