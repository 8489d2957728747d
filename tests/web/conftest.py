"""Web app fixtures: a small archive digitized once per session, copied for each test; one account per role."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from samples.generate import make_document
from schemas.record import DocumentRecord
from schemas.settings import Settings
from storage.accounts import Accounts
from storage.catalog import Catalog
from web.app import create_app

SOHOA = str(Path(sys.executable).with_name("sohoa"))
PASSWORD = "mật-khẩu-thử-1"
ROLES = ("admin", "staff", "officer", "auditor")
#: (file stem, kind, seed): archived by the first run.
ARCHIVED = (("decision", "decision", 41), ("certificate", "certificate", 42), ("permit", "construction_permit", 43))
#: Digitized with a strict review threshold, so it waits for review.
HELD = ("notice", "notice", 44)


@dataclass(frozen=True)
class Corpus:
    """The digitized sample archive: its data folder and each file's record and metadata truth."""

    data: Path
    records: dict[str, DocumentRecord]
    truths: dict[str, dict]

    def id_of(self, stem: str) -> str:
        return self.records[stem].id


def sohoa_environment(data: Path, **env: str) -> dict[str, str]:
    """The environment of a `sohoa` child on this data folder: none of the caller's SOHOA_* settings, then `env`."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SOHOA_")}
    return environ | {"SOHOA_DATA_DIR": str(data), **env}


def _digitize(files: list[Path], data: Path, out: Path, **env: str) -> None:
    environ = sohoa_environment(data, SOHOA_WORKERS="2", **env)
    done = subprocess.run(
        [SOHOA, "digitize", *map(str, files), "--export", str(out), "--json"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    root = tmp_path_factory.mktemp("web-corpus")
    scans, data, out = root / "scans", root / "data", root / "out"
    scans.mkdir()
    truths = {}
    for stem, kind, seed in (*ARCHIVED, HELD):
        doc = make_document(kind, seed=seed, dpi=300, noise=0.3, skew_deg=0.8)
        doc.pages[0].save(scans / f"{stem}.jpg", dpi=(300, 300))
        truths[stem] = doc.truth.metadata
    _digitize([scans / f"{stem}.jpg" for stem, _, _ in ARCHIVED], data, out)
    _digitize([scans / f"{HELD[0]}.jpg"], data, out, SOHOA_REVIEW_THRESHOLD="0.99")
    records = {stem: DocumentRecord.model_validate(json.loads((out / f"{stem}.json").read_text())) for stem in truths}
    assert [records[s].status for s, _, _ in ARCHIVED] == ["archived"] * len(ARCHIVED)
    assert records[HELD[0]].status == "needs_review"
    with Catalog(f"sqlite:///{data / 'catalog.sqlite3'}") as catalog:
        accounts = Accounts(catalog)
        for role in ROLES:
            accounts.add_user(f"{role}1", PASSWORD, role, full_name=f"Người dùng {role}")
    return Corpus(data, records, truths)


@pytest.fixture
def settings(corpus: Corpus, tmp_path: Path) -> Settings:
    """Settings on a private copy of the corpus, so a test may change anything."""
    data = tmp_path / "data"
    shutil.copytree(corpus.data, data)
    return Settings(data_dir=data, workers=1)


@pytest.fixture
def app_client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url="http://testserver") as client:
        yield client


def login_form(client: TestClient, username: str, password: str, **fields: str) -> dict[str, str]:
    """The login form's fields as a browser sends them: the page is loaded first for its token (and cookie)."""
    page = client.get("/login").text
    marker = 'name="login_token" value="'
    start = page.index(marker) + len(marker)
    token = page[start : page.index('"', start)]
    return {"username": username, "password": password, "login_token": token, **fields}


def sign_in(client: TestClient, role: str) -> str:
    """Sign the client in as the role's account; returns the session's CSRF token."""
    response = client.post("/login", data=login_form(client, f"{role}1", PASSWORD), follow_redirects=False)
    assert response.status_code == 303, response.text
    page = client.get("/")
    marker = 'name="csrf-token" content="'
    start = page.text.index(marker) + len(marker)
    return page.text[start : page.text.index('"', start)]


def api_token(client: TestClient, role: str) -> dict[str, str]:
    """Authorization headers of a fresh API token for the role's account."""
    accounts: Accounts = client.app.state.web.accounts
    return {"Authorization": f"Bearer {accounts.issue_token(f'{role}1', 'tests').token}"}
