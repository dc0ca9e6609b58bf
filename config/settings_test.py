"""Test settings: the real settings, made faster. Nothing here changes behaviour."""
import os
import tempfile

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="award-test-var-"))

from config.settings import *  # noqa: E402,F403
from config.settings import CERT_FONT_DIR as _FONT_DIR  # noqa: E402,F401

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# A per-process cache, whatever REDIS_URL says: query-count tests count the app's queries,
# not the database cache's, and xdist workers never share throttle counters. The shared
# caches (database, Redis) are tested in tests/test_shared_limits.py and tests/cluster/.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
LOGGING = {"version": 1, "disable_existing_loggers": False}
# The certificate font subset is cut once by scripts/setup.sh into var/fonts; reuse it.
CERT_FONT_DIR = BASE_DIR / "var" / "fonts"  # noqa: F405
# django-axes: off for the suite, because the test client's login() calls authenticate()
# without a request; tests/test_login_lockout.py switches it on with override_settings.
AXES_ENABLED = False
