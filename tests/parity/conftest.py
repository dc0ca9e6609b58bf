"""Parity tests: each business act, run through every entry point that offers it (web page,
REST API, admin, management command), has the same effects and the same refusals.

The builders of tests/publication (an application approved through the real judging
services, in a notice opened by the real act) are used here as they are."""
from tests.publication.conftest import _fresh_throttles, approved, notice_ended, panel  # noqa: F401 (fixtures)
