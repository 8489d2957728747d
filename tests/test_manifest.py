"""Batch manifests: dossier and procedure codes, result codes <mã hồ sơ>-KQn, and paper pages reconciled."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from samples.generate import make_document

SOHOA = str(Path(sys.executable).with_name("sohoa"))


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SOHOA, *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=300)


def test_manifest_codes_result_codes_and_page_reconciliation(tmp_path: Path):
    # Given two scans of one dossier; the manifest says the second had 3 pages on paper, but 1 was scanned
    for name, kind, seed in (("permit.jpg", "construction_permit", 41), ("notice.jpg", "notice", 42)):
        make_document(kind, seed=seed, dpi=300, noise=0.3).pages[0].save(tmp_path / name, dpi=(300, 300))
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "file,dossier_code,procedure_code,paper_pages\n"
        "permit.jpg,000.00.37.H42-241104-0007,1.009972,1\n"
        "notice.jpg,000.00.37.H42-241104-0007,1.009972,3\n",
        encoding="utf-8",
    )
    env = {"SOHOA_DATA_DIR": str(tmp_path / "data")}

    # When the batch runs with the manifest
    done = _run(
        [
            "digitize",
            str(tmp_path / "permit.jpg"),
            str(tmp_path / "notice.jpg"),
            "--manifest",
            str(manifest),
            "--export",
            str(tmp_path / "out"),
            "--json",
        ],
        env,
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)

    # Then the codes are on the records, numbered within the dossier, and the page mismatch waits for review
    permit = json.loads((tmp_path / "out" / "permit.json").read_text())
    notice = json.loads((tmp_path / "out" / "notice.json").read_text())
    assert permit["metadata"]["dossier_code"] == "000.00.37.H42-241104-0007"
    assert permit["metadata"]["procedure_code"] == "1.009972"
    assert permit["metadata"]["result_code"] == "000.00.37.H42-241104-0007-KQ1"
    assert notice["metadata"]["result_code"] == "000.00.37.H42-241104-0007-KQ2"
    assert permit["status"] == "archived"
    assert notice["status"] == "needs_review"
    assert any(w["code"] == "page_count_mismatch" and "3 pages" in w["message"] for w in notice["warnings"])
    assert (summary["archived"], summary["needs_review"], summary["page_count_mismatches"]) == (1, 1, 1)
    xml = (tmp_path / "out" / "permit.xml").read_text(encoding="utf-8")
    assert "<DocCode>000.00.37.H42-241104-0007-KQ1</DocCode>" in xml
    assert "<FileCode>000.00.37.H42-241104-0007</FileCode>" in xml


def test_a_bad_manifest_is_refused_with_its_line(tmp_path: Path):
    scan = tmp_path / "a.jpg"
    make_document("notice", seed=43, dpi=200).pages[0].save(scan, dpi=(200, 200))
    manifest = tmp_path / "m.csv"
    manifest.write_text("file,dossier_code,paper_pages\na.jpg,HS-1,không\n", encoding="utf-8")
    done = _run(["digitize", str(scan), "--manifest", str(manifest)], {"SOHOA_DATA_DIR": str(tmp_path / "data")})
    assert done.returncode == 2
    assert "line 2 (a.jpg)" in done.stderr and "paper_pages" in done.stderr
