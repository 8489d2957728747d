"""A bad signing configuration stops `sohoa digitize` before any work; fixed, the same files are signed."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from pipeline import pki
from samples.generate import make_document

SOHOA = str(Path(sys.executable).with_name("sohoa"))


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SOHOA, *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=300)


def test_wrong_password_then_fixed_configuration(tmp_path: Path):
    # Given the agency's PKCS#12 file, its password in a secret file, and one scan
    ca = pki.make_ca("Agency CA TEST")
    (tmp_path / "ca.pem").write_bytes(ca.pem)
    p12 = tmp_path / "agency.p12"
    p12.write_bytes(pki.pkcs12_bytes(pki.issue(ca, "UBND tỉnh Ninh Bình TEST"), ca, b"dung-roi"))
    (tmp_path / "password").write_text("sai-roi\n")
    scan = tmp_path / "scan.jpg"
    make_document("decision", seed=3, dpi=200, noise=0.2).pages[0].save(scan, dpi=(200, 200))
    env = {
        "SOHOA_DATA_DIR": str(tmp_path / "data"),
        "SOHOA_SIGN_PKCS12": str(p12),
        "SOHOA_SIGN_PASSWORD_FILE": str(tmp_path / "password"),
        "SOHOA_TRUST_ROOTS": str(tmp_path / "ca.pem"),
        "SOHOA_AGENCY_NAME": "UBND tỉnh Ninh Bình",
    }

    # When the password is wrong, the run stops at once with a clear message and exit status 3
    wrong = _run(["digitize", str(scan), "--json"], env)
    assert wrong.returncode == 3
    assert "wrong password" in wrong.stderr and str(p12) in wrong.stderr
    assert (
        not list((tmp_path / "data" / "objects").rglob("*.pdf")) if (tmp_path / "data" / "objects").exists() else True
    )

    # Then with the password fixed, the same file is processed, signed by the agency and verifiable
    (tmp_path / "password").write_text("dung-roi\n")
    fixed = _run(["digitize", str(scan), "--json", "--export", str(tmp_path / "out")], env)
    assert fixed.returncode == 0, fixed.stderr
    assert json.loads(fixed.stdout)["archived"] == 1
    assert "TEST certificate" not in fixed.stderr
    record = json.loads((tmp_path / "out" / "scan.json").read_text())
    assert record["archive"]["signer"] == "UBND tỉnh Ninh Bình TEST"
    verified = _run(["verify", str(tmp_path / "out" / "scan.pdf")], env)
    assert verified.returncode == 0, verified.stdout
    assert "1 ok, 0 failed" in verified.stdout

    # And a byte flipped in the archived object is caught against the catalog's hash
    stored = next((tmp_path / "data" / "objects" / "archive").rglob("*.pdf"))
    data = bytearray(stored.read_bytes())
    data[len(data) // 2] ^= 0x20
    stored.write_bytes(bytes(data))
    tampered = _run(["verify", "--id", record["id"]], env)
    assert tampered.returncode == 1
    assert "differs from the catalog" in tampered.stdout and "0 ok, 1 failed" in tampered.stdout


def test_expired_agency_certificate_is_refused_before_processing(tmp_path: Path):
    ca = pki.make_ca("Agency CA TEST")
    old = pki.issue(
        ca,
        "Expired TEST",
        not_before=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
        not_after=dt.datetime(2022, 1, 1, tzinfo=dt.UTC),
    )
    p12 = tmp_path / "old.p12"
    p12.write_bytes(pki.pkcs12_bytes(old, ca, b"x"))
    scan = tmp_path / "scan.jpg"
    make_document("notice", seed=4, dpi=200).pages[0].save(scan, dpi=(200, 200))
    result = _run(
        ["digitize", str(scan)],
        {"SOHOA_DATA_DIR": str(tmp_path / "data"), "SOHOA_SIGN_PKCS12": str(p12), "SOHOA_SIGN_PASSWORD": "x"},
    )
    assert result.returncode == 3
    assert "expired on 2022-01-01" in result.stderr


def test_verify_fails_on_a_missing_file(tmp_path: Path):
    result = _run(["verify", str(tmp_path / "missing.pdf")], {"SOHOA_DATA_DIR": str(tmp_path / "data")})
    assert result.returncode == 1
    assert "FAIL" in result.stdout and "no such file" in result.stdout
