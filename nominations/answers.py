"""Answers to the application form's questions, checked by the question's declared type.

One function per answer (answer_clean) used by the intake service, so the API, the web form
and the admin store the same canonical JSON values:

- integer: a whole number (1, "12", 2.0; not 1.9, not true), |n| ≤ 10^15;
- decimal: a finite number (no NaN / Infinity), at most 4 decimal places, |x| < 10^15,
  stored as text as written ("1234.50"; "1E+3" → "1000");
- date: YYYY-MM-DD between 1900 and 2100;
- boolean: true / false (or "true", "false", "1", "0", "on");
- text: stripped, no NUL, at most text_limit(question) characters — the number the label
  (or its help text) promises, "概述（500字以内）" → 500, else TEXT_ANSWER_MAX.
"""
from __future__ import annotations

import datetime as dt
import decimal
import math
import re

from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from nominations.enums import QuestionType

TEXT_ANSWER_MAX = 5000
NUMBER_LIMIT = 10**15
DECIMAL_PLACES = 4
DATE_RANGE = (dt.date(1900, 1, 1), dt.date(2100, 12, 31))
# A promised maximum: "（500字以内）", "不超过2000字", "限800字", "300 字以下"; not a minimum
# ("不少于3000字", "至少500字", "1000字以上"). Spaces are removed before matching.
_PROMISE_RE = re.compile(r"(?<!少于)(?<!低于)(?<!至少)([0-9]{1,6})(?:个)?(?:汉)?字(?!以上)")


class AnswerInvalid(ValueError):
    """The message says what is wrong, in the user's language."""


def text_limit(question) -> int:
    """Characters an answer may have: the smallest number promised in the label or help text."""
    promised = [int(n) for text in (question.label, question.help_text or "")
                for n in _PROMISE_RE.findall(re.sub(r"\s+", "", text)) if int(n) > 0]
    return min(promised) if promised else TEXT_ANSWER_MAX


def _type_error(question) -> AnswerInvalid:
    return AnswerInvalid(_("“%(label)s”的值格式不正确（应为%(type)s）。")
                         % {"label": question.label, "type": question.get_type_display()})


def _number(question, value) -> decimal.Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, decimal.Decimal)):
        raise _type_error(question)
    if isinstance(value, float) and not math.isfinite(value):
        raise AnswerInvalid(_("“%(label)s”应为有限的数值。") % {"label": question.label})
    text = str(value).strip()
    if not text.isascii():
        raise _type_error(question)
    try:
        number = decimal.Decimal(text)
    except decimal.InvalidOperation:
        raise _type_error(question) from None
    if not number.is_finite():
        raise AnswerInvalid(_("“%(label)s”应为有限的数值。") % {"label": question.label})
    if abs(number) >= NUMBER_LIMIT:
        raise AnswerInvalid(_("“%(label)s”的数值超出允许范围（绝对值应小于 10^15）。") % {"label": question.label})
    return number


def answer_clean(question, value):
    """The canonical value of one answer, or AnswerInvalid. Empty answers are the caller's."""
    kind = question.type
    if kind == QuestionType.INTEGER:
        number = _number(question, value)
        if number != number.to_integral_value():
            raise AnswerInvalid(_("“%(label)s”应为整数。") % {"label": question.label})
        return int(number)
    if kind == QuestionType.DECIMAL:
        number = _number(question, value)
        if number.normalize().as_tuple().exponent < -DECIMAL_PLACES:
            raise AnswerInvalid(_("“%(label)s”最多保留 %(n)d 位小数。") % {"label": question.label, "n": DECIMAL_PLACES})
        return f"{number:f}"
    if kind == QuestionType.DATE:
        if not isinstance(value, str) or not value.isascii():
            raise _type_error(question)
        try:
            date = parse_date(value.strip())
        except ValueError:
            date = None
        if date is None:
            raise _type_error(question)
        if not DATE_RANGE[0] <= date <= DATE_RANGE[1]:
            raise AnswerInvalid(_("“%(label)s”的日期超出允许范围。") % {"label": question.label})
        return date.isoformat()
    if kind == QuestionType.BOOLEAN:
        if isinstance(value, str):
            value = {"true": True, "false": False, "1": True, "0": False, "on": True}.get(value.strip().lower())
        if not isinstance(value, bool):
            raise _type_error(question)
        return value
    if not isinstance(value, (str, int, float, decimal.Decimal)) or isinstance(value, bool):
        raise _type_error(question)
    text = str(value).strip()
    if "\x00" in text:
        raise AnswerInvalid(_("“%(label)s”中不能含有空字符。") % {"label": question.label})
    limit = text_limit(question)
    if len(text) > limit:
        raise AnswerInvalid(_("“%(label)s”最多 %(limit)d 字，当前 %(n)d 字。")
                            % {"label": question.label, "limit": limit, "n": len(text)})
    return text
