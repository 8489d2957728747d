"""Settings: read once from SOHOA_* variables, typed, and unknown keys refused by name."""

import dataclasses
from pathlib import Path

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


def test_every_kind_of_setting_is_converted_from_its_text_and_checked_against_its_bounds():
    settings = Settings.from_env(
        {
            "SOHOA_S3_SECURE": "off",
            "SOHOA_WEB_COOKIE_SECURE": "Yes",
            "SOHOA_MAX_FILE_BYTES": " 9007199254740993 ",  # beyond a float's exact integers
            "SOHOA_LEASE_SECONDS": "60",
            "SOHOA_TRUST_ROOTS": "/etc/ca/a.pem,/etc/ca/b.pem",
            "SOHOA_ARCHIVE_RETENTION_DAYS_BY_TYPE": '{"giấy phép xây dựng": 36500}',
            "SOHOA_ARCHIVE_RETENTION_MODE": "COMPLIANCE",
            "SOHOA_SIGN_PASSWORD": "mật-khẩu",
            "SOHOA_DATA_DIR": "/srv/sohoa",
        }
    )
    assert (settings.s3_secure, settings.web_cookie_secure) == (False, True)
    assert settings.max_file_bytes == 9007199254740993 and settings.lease_seconds == 60.0
    assert settings.trust_roots == [Path("/etc/ca/a.pem"), Path("/etc/ca/b.pem")]
    assert settings.archive_retention_days_by_type == {"giấy phép xây dựng": 36500}
    assert settings.archive_retention_mode == "COMPLIANCE" and settings.data_dir == Path("/srv/sohoa")
    assert settings.sign_password is not None and settings.sign_password.get_secret_value() == "mật-khẩu"
    assert "mật-khẩu" not in repr(settings) and "mật-khẩu" not in str(settings.sign_password)
    assert dataclasses.replace(settings, workers=2).workers == 2
    refused = {
        "SOHOA_S3_SECURE": ("maybe", "true or false"),
        "SOHOA_WORKERS": ("2.5", "a whole number"),
        "SOHOA_MAX_FILE_BYTES": ("²", "a whole number"),  # a digit to str.isdigit, not to int()
        "SOHOA_OCR_DPI": ("100", "at least 150"),
        "SOHOA_WEB_PORT": ("70000", "at most 65535"),
        "SOHOA_LEASE_SECONDS": ("0", "more than 0"),
        "SOHOA_ARCHIVE_RETENTION_DAYS_BY_TYPE": ('{"quyết định": -1}', "at least 0"),
        "SOHOA_COPY_TYPE": ("BẢN CHÍNH", "one of 'SAO Y'"),
    }
    for variable, (value, reason) in refused.items():
        with pytest.raises(SettingsError, match=f"{variable}: must be {reason}"):
            Settings.from_env({variable: value})
    with pytest.raises(SettingsError, match=r"SOHOA_WORKERS: .*; SOHOA_OCR_DPI: "):  # every problem at once
        Settings(workers=-1, ocr_dpi=1)
