"""Production settings pass Django's deployment checks, and refuse to start without a key."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "AUDIT_KEY", "DJANGO_SETTINGS_MODULE")}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**clean, **env}, timeout=120)


def test_production_settings_pass_check_deploy(tmp_path):
    result = _manage("check", "--deploy", "--fail-level", "WARNING",
                     SECRET_KEY="k" * 20 + "production-secret-key-0123456789abcdef",
                     AUDIT_KEY="a" * 20 + "production-audit-key-0123456789abcdef",
                     SITE_URL="https://award.example.gov.cn", ALLOWED_HOSTS="award.example.gov.cn",
                     VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_missing_secret_key_fails_loudly(tmp_path):
    result = _manage("check", VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_missing_audit_key_fails_loudly(tmp_path):
    result = _manage("check", VAR_DIR=str(tmp_path), SECRET_KEY="k" * 20 + "production-secret-key-0123456789")
    assert result.returncode != 0
    assert "AUDIT_KEY must be set when DEBUG is off" in result.stderr
