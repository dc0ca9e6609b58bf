"""Browser tests: Debian's Chromium driven by Playwright (no browser download), against
pytest-django's live server. Marker `browser`; run by .ci/run, left out of scripts/test.sh.

Screenshots of the key pages (1366 px desktop and 390 px phone) are written to
$E2E_ARTIFACTS (default var/e2e-artifacts/) as test artifacts."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    root = Path(os.environ.get("E2E_ARTIFACTS", Path(__file__).resolve().parents[2] / "var" / "e2e-artifacts"))
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True, exist_ok=True)
    return root


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("BROWSER_REQUIRED") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an asyncio loop in the main thread; the test body's ORM calls
    # (world set-up, time travel) are still synchronous. Only while a browser test runs: the
    # variable must not reach other tests (check --deploy refuses it).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=["--no-sandbox", "--disable-dev-shm-usage"])
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous
