"""Input fields of the API that are stricter than DRF's defaults (issue 8)."""
from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

# ISO 8601 / RFC 3339 date and time with an explicit offset (API.md: "Times are ISO 8601
# with offset"): 2026-12-01T09:00:00+08:00, 2026-12-01T01:00Z. Seconds and fractions optional.
OFFSET_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:\d{2})")


class OffsetDateTimeField(serializers.DateTimeField):
    """A date and time with its offset. DRF's field also takes a bare date ("2026-12-01")
    or a time without offset, read in the server's zone: a client that meant another
    zone would silently get another instant."""

    default_error_messages = {
        "offset": _("日期时间格式错误：应为带时区偏移的 ISO 8601 时间，例如 2026-12-01T09:00:00+08:00。"),
    }

    def to_internal_value(self, value):
        if isinstance(value, str) and not OFFSET_DATETIME.fullmatch(value.strip()):
            self.fail("offset")
        return super().to_internal_value(value)


def install_strict_text() -> None:
    """Text fields take JSON strings only. DRF's CharField (and EmailField, RegexField,
    SlugField, URLField, which inherit from it) turns 0 or 1.5 into "0" or "1.5": a client
    sending a number where text is expected has a bug the API should name, not hide."""
    if getattr(serializers.CharField, "_award_strict", False):
        return
    original = serializers.CharField.to_internal_value

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return original(self, data)

    serializers.CharField.to_internal_value = to_internal_value
    serializers.CharField._award_strict = True
