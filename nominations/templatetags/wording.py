"""{% load wording %}: {{ app.title|quoted }} puts a title in “…” without doubling its own quotes;
{{ category.name|bracketed }} puts a name in （…） without nesting brackets."""
from __future__ import annotations

from django import template

from nominations.text import bracketed as _bracketed
from nominations.text import quoted as _quoted

register = template.Library()


@register.filter
def quoted(value) -> str:
    return _quoted(str(value if value is not None else ""))


@register.filter
def bracketed(value) -> str:
    return _bracketed(str(value if value is not None else ""))
