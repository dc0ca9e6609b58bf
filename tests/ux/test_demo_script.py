"""scripts/demo.sh: --host/--port decide where the server listens and SITE_URL/ALLOWED_HOSTS follow
(checked with --dry-run, which parses the arguments, prints the settings and starts nothing)."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "demo.sh"


def run(*args, **env_extra):
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "ALLOWED_HOSTS", "DEMO_HOST", "DEMO_PORT")}
    env.update(env_extra)
    result = subprocess.run(["bash", str(SCRIPT), "--dry-run", *args], capture_output=True, text=True,
                            env=env, timeout=30)
    values = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    return result, values


def test_default_is_port_8000():
    result, values = run()
    assert result.returncode == 0, result.stderr
    assert values["SITE_URL"] == "http://127.0.0.1:8000"
    assert values["LISTEN"] == "127.0.0.1:8000"


@pytest.mark.parametrize("args", [("--port", "8001"), ("--port=8001",)])
def test_port_sets_site_url_and_listen_address(args):
    result, values = run(*args)
    assert result.returncode == 0, result.stderr
    assert values["SITE_URL"] == "http://127.0.0.1:8001"
    assert values["LISTEN"] == "127.0.0.1:8001"
    assert "127.0.0.1" in values["ALLOWED_HOSTS"].split(",")


def test_host_and_port_together_and_seed_options_passed_on():
    result, values = run("--host", "demo.local", "--port", "9001", "--password", "pw12345678")
    assert result.returncode == 0, result.stderr
    assert values["SITE_URL"] == "http://demo.local:9001"
    assert "demo.local" in values["ALLOWED_HOSTS"].split(",")
    assert values["LISTEN"] == "demo.local:9001"
    assert values["SEED_ARGS"] == "--password pw12345678"


def test_wildcard_listen_address_links_to_loopback():
    result, values = run("--host", "0.0.0.0", "--port", "8100")
    assert result.returncode == 0, result.stderr
    assert values["SITE_URL"] == "http://127.0.0.1:8100"
    assert values["LISTEN"] == "0.0.0.0:8100"


def test_explicit_site_url_wins():
    result, values = run("--port", "8001", SITE_URL="https://award.example.org")
    assert values["SITE_URL"] == "https://award.example.org"
    assert values["LISTEN"] == "127.0.0.1:8001"


@pytest.mark.parametrize("bad", ["abc", "0", "70000", ""])
def test_bad_port_is_refused(bad):
    result, values = run("--port", bad)
    assert result.returncode == 2
    assert "--port" in result.stderr
    assert "SITE_URL" not in values
