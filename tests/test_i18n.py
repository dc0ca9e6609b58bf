"""English is available next to the Simplified Chinese source language.

The UI strings are written in Chinese and translated in locale/en/LC_MESSAGES/django.po;
the compiled django.mo is committed so that the runtime never needs gettext tools.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from nominations.enums import ApplicationState, CycleState, ProgrammeCode, Transition

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO_FILE = LOCALE_DIR / "django.po"
MO_FILE = LOCALE_DIR / "django.mo"


# -- a tiny .po reader: enough to check completeness without extra dependencies -------------
def _unquote(line: str) -> str:
    body = line[line.index('"') + 1:line.rindex('"')]
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


def po_entries(path: Path) -> list[dict]:
    """Each entry: flags (set), msgctxt, msgid, msgid_plural, msgstr (list of forms), obsolete."""
    entries, entry, field = [], None, None

    def flush():
        if entry is not None and (entry["msgid"] is not None):
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            flush()
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgctxt": None, "msgid": None, "msgid_plural": None,
                     "msgstr": [], "obsolete": False}
        if line.startswith("#~"):
            entry["obsolete"] = True
            continue
        if line.startswith("#,"):
            entry["flags"].update(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        if line.startswith("msgctxt "):
            field, entry["msgctxt"] = "msgctxt", _unquote(line)
        elif line.startswith("msgid_plural "):
            field, entry["msgid_plural"] = "msgid_plural", _unquote(line)
        elif line.startswith("msgid "):
            field, entry["msgid"] = "msgid", _unquote(line)
        elif line.startswith("msgstr"):
            field = "msgstr"
            entry["msgstr"].append(_unquote(line))
        elif line.startswith('"'):
            if field == "msgstr":
                entry["msgstr"][-1] += _unquote(line)
            else:
                entry[field] += _unquote(line)
    return entries


PLACEHOLDER = re.compile(r"%(?:\([a-z_]+\))?[-+ #0]*\d*(?:\.\d+)?[sdfr%]")


def test_po_file_is_complete_and_not_fuzzy():
    entries = po_entries(PO_FILE)
    header = [e for e in entries if e["msgid"] == ""]
    messages = [e for e in entries if e["msgid"] != ""]
    assert len(header) == 1 and "fuzzy" not in header[0]["flags"]
    assert len(messages) > 1000
    assert [e["msgid"] for e in messages if "fuzzy" in e["flags"]] == []
    assert [e["msgid"] for e in messages if e["obsolete"]] == []
    assert [e["msgid"] for e in messages if not e["msgstr"] or any(s == "" for s in e["msgstr"])] == []
    assert [e["msgid"] for e in messages if e["msgid_plural"] and len(e["msgstr"]) != 2] == []


def test_po_translations_keep_placeholders_and_leave_no_chinese():
    bad_placeholders, chinese_left = [], []
    for e in po_entries(PO_FILE):
        if not e["msgid"]:
            continue
        expected = sorted(PLACEHOLDER.findall(e["msgid"]))
        for form in e["msgstr"]:
            if "python-format" in e["flags"] and sorted(PLACEHOLDER.findall(form)) != expected:
                bad_placeholders.append((e["msgid"], form))
            if re.search(r"[\u4e00-\u9fff]", form):
                chinese_left.append((e["msgid"], form))
    assert bad_placeholders == []
    assert chinese_left == []


def test_compiled_catalogue_is_committed_and_matches_the_po_file():
    """django.mo must be recompiled after every change to django.po (compilemessages)."""
    import gettext

    with MO_FILE.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog
    stale = []
    for e in po_entries(PO_FILE):
        if not e["msgid"]:
            continue
        key = f'{e["msgctxt"]}\x04{e["msgid"]}' if e["msgctxt"] is not None else e["msgid"]
        if e["msgid_plural"]:
            compiled = [catalog.get((key, i)) for i in range(len(e["msgstr"]))]
        else:
            compiled = [catalog.get(key)]
        if compiled != e["msgstr"]:
            stale.append(e["msgid"])
    assert stale == []


def test_default_language_stays_simplified_chinese():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]


def test_enum_labels_translate_to_english_and_stay_chinese_by_default():
    with translation.override("en"):
        assert [str(ApplicationState.SUBMITTED.label), str(ApplicationState.RETURNED.label),
                str(CycleState.NOTICE.label), str(ProgrammeCode.MQA.label),
                str(Transition.RETURN.label), str(Transition.REJECT.label),
                str(ApplicationState.INELIGIBLE.label)] == [
            "Submitted", "Awaiting amendment", "In public notice", "Shanghai Mayor's Quality Award",
            "Return for amendment", "Do not accept", "Not accepted"]
    with translation.override("zh-hans"):
        assert [str(ApplicationState.SUBMITTED.label), str(CycleState.NOTICE.label),
                str(Transition.REJECT.label), str(ApplicationState.INELIGIBLE.label)] == [
            "已提交", "公示中", "不予受理", "不予受理"]


def test_placeholders_are_filled_in_english():
    from django.utils.translation import gettext

    with translation.override("en"):
        assert gettext("您无权执行“%(label)s”操作。") % {"label": "Submit"} == \
            'You are not allowed to perform "Submit".'


@pytest.mark.django_db
def test_home_page_in_english_with_accept_language(client):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in body
    assert "<title>Home · Shanghai Government Quality Award System</title>" in body
    assert "Sign in" in body and "登录" not in body


@pytest.mark.django_db
def test_home_page_in_chinese_by_default_and_for_chinese_browsers(client):
    for headers in ({}, {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9,en;q=0.5"}):
        body = client.get(reverse("home"), **headers).content.decode()
        assert '<html lang="zh-CN">' in body
        assert "<title>首页 · 上海市政府质量奖评审系统</title>" in body


@pytest.mark.django_db
def test_language_switcher_sets_english_for_the_session(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    body = client.get(reverse("home")).content.decode()
    assert "Shanghai Government Quality Award System" in body
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "上海市政府质量奖评审系统" in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_password_rules_speak_chinese_by_default():
    """Django 5.2's length rule is worded with %d, which its Chinese catalogue lacks: the
    project's zh_Hans overrides carry it, so the sign-up page never shows it in English."""
    from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
    from django.core.exceptions import ValidationError

    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as refused:
            validate_password("12345")
        texts = [*refused.value.messages, *password_validators_help_texts()]
    assert "密码太短，至少需要 8 个字符。" in texts
    assert not [t for t in texts if re.search(r"[A-Za-z]{3,}", t)], texts
