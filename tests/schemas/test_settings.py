"""Settings: read once from SOHOA_* variables, typed, and unknown keys refused by name."""

import dataclasses

import pytest

from schemas.settings import Settings, SettingsError


def test_environment_values_are_typed_and_overrides_win():
    settings = Settings.from_env({"SOHOA_WORKERS": "3", "SOHOA_OCR_DPI": "400", "PATH": "/bin"}, workers=5)
    assert (settings.workers, settings.ocr_dpi) == (5, 400)
    assert settings.catalog_url.startswith("sqlite:///") and settings.catalog_url.endswith("catalog.sqlite3")


def test_unknown_and_invalid_variables_are_named_in_the_error():
    with pytest.raises(SettingsError, match="SOHOA_OCR_LANGAUGE"):
        Settings.from_env({"SOHOA_OCR_LANGAUGE": "vie"})
    with pytest.raises(SettingsError, match="SOHOA_WORKERS"):
        Settings.from_env({"SOHOA_WORKERS": "none"})


def test_cli_reports_configuration_errors_with_exit_status_3(monkeypatch, tmp_path, capsys):
    from schemas.errors import ExitCode
    from sohoa.cli import main

    monkeypatch.setenv("SOHOA_OCR_TIMEOUT_S", "-1")
    assert main(["digitize", str(tmp_path)]) == ExitCode.CONFIG
    assert "SOHOA_OCR_TIMEOUT_S" in capsys.readouterr().err
    monkeypatch.delenv("SOHOA_OCR_TIMEOUT_S")
    monkeypatch.setenv("SOHOA_DATA_DIR", str(tmp_path / "data"))
    assert main(["digitize", str(tmp_path / "nothing-here")]) == ExitCode.USAGE
    assert "no such file or folder" in capsys.readouterr().err
    monkeypatch.setenv("SOHOA_OCR_LANGUAGE", "khong-co")
    (tmp_path / "scan.png").write_bytes(b"")
    assert main(["digitize", str(tmp_path / "scan.png")]) == ExitCode.CONFIG
    assert "khong-co" in capsys.readouterr().err


def test_a_setting_that_is_no_longer_used_is_refused_with_the_reason():
    with pytest.raises(SettingsError, match="SOHOA_WEB_SECRET_KEY is no longer used: web sessions are random ids"):
        Settings.from_env({"SOHOA_WEB_SECRET_KEY": "s3cret"})
    assert "web_secret_key" not in {field.name for field in dataclasses.fields(Settings)}


def test_urls_in_logs_carry_no_password():
    from schemas.settings import redacted_url

    assert redacted_url("amqp://sohoa:s3cret@rabbitmq:5672/vhost") == "amqp://sohoa@rabbitmq:5672/vhost"
    assert redacted_url("postgresql://u:p%40ss@[::1]:5432/db?sslmode=require") == "postgresql://u@[::1]:5432/db"
    assert redacted_url("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
    assert redacted_url(None) == "" and "s3cret" not in redacted_url("amqp://:s3cret@h/")
