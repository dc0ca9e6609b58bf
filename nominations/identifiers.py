"""Check characters of Chinese identifiers (DOMAIN.md §6).

- 统一社会信用代码 (unified social credit code, GB 32100-2015): ISO 7064 style
  check over a 31-character alphabet, plus the embedded organization code's own
  check (GB 11714).
- 居民身份证号码 (resident ID, GB 11643-1999): ISO 7064 MOD 11-2.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.utils.translation import gettext as _

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]
USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")
ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"
ID_RE = re.compile(r"^[0-9]{17}[0-9X]$")


def normalize_identifier(value: str) -> str:
    """The one form in which identifiers are checked, stored, indexed and compared: NFKC
    (full-width ３ and Ｘ become 3 and X), without surrounding spaces, upper case. Digits of
    other scripts stay as they are, and the checks below (ASCII only) refuse them."""
    return unicodedata.normalize("NFKC", str(value or "")).strip().upper()


def normalize_uscc(value: str) -> str:
    return normalize_identifier(value)


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_CHARSET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS))
    return USCC_CHARSET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    """GB 11714 check character of the organization code (A=10 … Z=35)."""
    def value(ch: str) -> int:
        return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10

    total = sum(value(ch) * w for ch, w in zip(first8, ORG_CODE_WEIGHTS))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def uscc_problems(value: str) -> list[str]:
    """Return what is wrong with a credit code (empty when valid)."""
    code = normalize_uscc(value)
    if len(code) != 18:
        return [_("统一社会信用代码应为18位，当前为%(n)d位。") % {"n": len(code)}]
    if not USCC_RE.match(code):
        return [_("统一社会信用代码含有不允许的字符（不使用 I、O、S、V、Z），或第3–8位不是数字。")]
    problems = []
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        problems.append(_("统一社会信用代码校验位错误：按 GB 32100 计算应为“%(expected)s”，实为“%(actual)s”。")
                        % {"expected": expected, "actual": code[17]})
    org = code[8:17]
    if all(ch.isdigit() or "A" <= ch <= "Z" for ch in org[:8]):
        org_expected = org_code_check_char(org[:8])
        if org[8] != org_expected:
            problems.append(
                _("其中的组织机构代码（第9–17位）校验位错误：应为“%(expected)s”，实为“%(actual)s”。")
                % {"expected": org_expected, "actual": org[8]}
            )
    return problems


def make_uscc(prefix17: str) -> str:
    """Complete 17 characters into a valid credit code (demo data and tests)."""
    return prefix17 + uscc_check_char(prefix17)


def make_org_code_uscc(head8: str, org8: str) -> str:
    """Build a credit code whose embedded organization code is valid, too."""
    first17 = head8 + org8 + org_code_check_char(org8)
    return make_uscc(first17)


def normalize_id_number(value: str) -> str:
    return normalize_identifier(value)


def id_number_problems(value: str) -> list[str]:
    number = normalize_id_number(value)
    if not ID_RE.match(number):
        return [_("身份证号码应为18位：前17位为数字，最后一位为数字或X。")]
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return [_("身份证号码中的出生日期无效。")]
    total = sum(int(ch) * w for ch, w in zip(number[:17], ID_WEIGHTS))
    expected = ID_CHECK[total % 11]
    if number[17] != expected:
        return [_("身份证号码校验位错误：应为“%(expected)s”，实为“%(actual)s”。") % {"expected": expected, "actual": number[17]}]
    return []


def make_id_number(first17: str) -> str:
    total = sum(int(ch) * w for ch, w in zip(first17, ID_WEIGHTS))
    return first17 + ID_CHECK[total % 11]


def mask_id_number(value: str) -> str:
    """Show the area code and the last four characters only: 110105********002X."""
    number = normalize_id_number(value)
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
