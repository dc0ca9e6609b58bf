"""The expert pool: creating judges, their profiles and related organizations, and the
import of a judge list from CSV or Excel (all rows valid, or nothing imported)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import types
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from judging import rules
from judging.enums import RelationKind
from judging.errors import JudgingError, NotPermitted
from judging.models import JudgeProfile, JudgeRelation
from judging.services.conflicts import conflicts_scan
from nominations import identifiers
from nominations.models import Organization
from nominations.rules import JUDGE, forget_roles
from nominations.services.audit import audit_record

PROFILE_FIELDS = ("title", "expertise", "affiliation", "affiliation_uscc", "phone", "active", "note")
SPLIT_TERMS = re.compile(r"[，,；;、|/\n]+")


def parse_expertise(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        parts = [str(v) for v in value]
    else:
        parts = SPLIT_TERMS.split(str(value))
    seen, out = set(), []
    for part in parts:
        part = part.strip()
        if part and part not in seen:
            seen.add(part)
            out.append(part[:50])
    return out


def uscc_field_problems(value: str, *, required: bool) -> tuple[str, list[str]]:
    """Normalised code and its problems. A code that fails only the check character is
    accepted when an organization was registered with it (legacy codes, DOMAIN.md §6)."""
    code = identifiers.normalize_uscc(value)
    if not code:
        return "", ([_("请填写统一社会信用代码。")] if required else [])
    problems = identifiers.uscc_problems(code)
    if problems and len(code) == 18 and identifiers.USCC_RE.match(code) and \
            Organization.objects.filter(uscc=code).exists():
        problems = []
    return code, problems


def _require_secretariat(actor, system: bool = False) -> None:
    if not system and not rules.may_manage_judging(actor):
        raise NotPermitted(_("只有秘书处可以管理评审专家库。"))


def _clean_profile(fields: dict) -> tuple[dict, dict[str, list[str]]]:
    clean, errors = {}, {}
    for name in PROFILE_FIELDS:
        if name not in fields:
            continue
        value = fields[name]
        if name == "expertise":
            clean[name] = parse_expertise(value)
        elif name == "active":
            clean[name] = bool(value)
        elif name == "affiliation_uscc":
            code, problems = uscc_field_problems(value or "", required=False)
            if problems:
                errors[name] = problems
            clean[name] = code
        else:
            clean[name] = str(value or "").strip()
    return clean, errors


def _scan_for(user) -> None:
    profile = JudgeProfile.objects.filter(user=user).first()
    if profile is None:
        return
    usccs = {profile.affiliation_uscc} | set(profile.relations.values_list("organization_uscc", flat=True))
    usccs.discard("")
    if usccs:
        conflicts_scan(judges=[user], organizations=Organization.objects.filter(uscc__in=usccs))


def judge_profile_save(*, user, actor, system: bool = False, ip: str | None = None, **fields) -> JudgeProfile:
    """Create or update a judge's profile (secretariat). Conflicts the new facts reveal are recorded."""
    _require_secretariat(actor, system)
    clean, errors = _clean_profile(fields)
    if errors:
        raise JudgingError(next(iter(errors.values()))[0], code="invalid", field_errors=errors)
    with transaction.atomic():
        profile = JudgeProfile.objects.select_for_update().filter(user=user).first()
        created = profile is None
        if created:
            profile = JudgeProfile.objects.create(user=user, **clean)
            changed = list(clean)
        else:
            changed = [k for k, v in clean.items() if getattr(profile, k) != v]
            for k in changed:
                setattr(profile, k, clean[k])
            if changed:
                profile.save(update_fields=[*changed, "updated_at"])
        if changed:
            audit_record(obj=profile, action="judge.create" if created else "judge.update", actor=actor, ip=ip,
                         data={"user": user.pk, "fields": sorted(changed)})
        _scan_for(user)
    return profile


def judge_create(*, actor, username: str, name: str, email: str = "", password: str | None = None,
                 system: bool = False, ip: str | None = None, **profile_fields):
    """Create a judge account (judge group) with its profile."""
    _require_secretariat(actor, system)
    errors = _account_problems(username=username, name=name, email=email)
    if get_user_model().objects.filter(username=(username or "").strip()).exists():
        errors.setdefault("username", []).append(_("用户名已存在。"))
    clean, profile_errors = _clean_profile(profile_fields)
    errors.update(profile_errors)
    if errors:
        raise JudgingError(next(iter(errors.values()))[0], code="invalid", field_errors=errors)
    with transaction.atomic():
        user = _create_user(username=username, name=name, email=email, password=password)
        judge_profile_save(user=user, actor=actor, system=True, ip=ip, **clean)
    return user


def _account_problems(*, username: str, name: str, email: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    username = (username or "").strip()
    if not username:
        errors["username"] = [_("请填写用户名。")]
    else:
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            errors["username"] = [_("用户名只能包含字母、数字和 @/./+/-/_。")]
        if len(username) > 150:
            errors["username"] = [_("用户名不能超过150个字符。")]
    if not (name or "").strip():
        errors["name"] = [_("请填写姓名。")]
    if (email or "").strip():
        try:
            validate_email(email.strip())
        except ValidationError:
            errors["email"] = [_("邮箱格式不正确。")]
    return errors


def _create_user(*, username: str, name: str, email: str, password: str | None):
    user = get_user_model()(username=username.strip(), first_name=name.strip()[:150], email=(email or "").strip())
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get(name=JUDGE))
    return user


def judge_relation_add(*, judge, actor, organization_uscc: str, organization_name: str, kind: str,
                       since: dt.date | None = None, until: dt.date | None = None, note: str = "",
                       ip: str | None = None) -> JudgeRelation:
    """Add a related organization to a judge's profile (the secretariat, or the judge
    themself: adding a relation can only make them more conflicted)."""
    if not (rules.may_manage_judging(actor) or (actor is not None and actor.pk == judge.pk)):
        raise NotPermitted(_("只有秘书处或专家本人可以登记关联单位。"))
    errors: dict[str, list[str]] = {}
    code, problems = uscc_field_problems(organization_uscc, required=True)
    if problems:
        errors["organization_uscc"] = problems
    if not (organization_name or "").strip():
        errors["organization_name"] = [_("请填写单位名称。")]
    if kind not in RelationKind.values:
        errors["kind"] = [_("关系类型应为：任职、咨询/辅导、近亲属任职、竞争对手之一。")]
    since, until = _date(since, "since", errors), _date(until, "until", errors)
    if since and until and until < since:
        errors["until"] = [_("结束日期不能早于起始日期。")]
    if errors:
        raise JudgingError(next(iter(errors.values()))[0], code="invalid", field_errors=errors)
    with transaction.atomic():
        profile, _created = JudgeProfile.objects.get_or_create(user=judge)
        relation = JudgeRelation.objects.create(judge=profile, organization_uscc=code,
                                                organization_name=organization_name.strip(), kind=kind,
                                                since=since, until=until, note=(note or "").strip())
        audit_record(obj=relation, action="judge.relation_add", actor=actor, ip=ip,
                     data={"judge": judge.pk, "uscc": code, "kind": kind,
                           "since": since.isoformat() if since else None, "until": until.isoformat() if until else None})
        _scan_for(judge)
    return relation


def _date(value, name: str, errors: dict) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    parsed = parse_date(str(value).strip())
    if parsed is None:
        errors[name] = [_("日期格式应为 YYYY-MM-DD。")]
    return parsed


def judge_relation_remove(*, relation: JudgeRelation, actor, ip: str | None = None) -> None:
    """Remove a related organization (secretariat only: it may lift a detected conflict;
    conflicts already recorded stay recorded)."""
    _require_secretariat(actor)
    with transaction.atomic():
        audit_record(obj=relation, action="judge.relation_remove", actor=actor, ip=ip,
                     data={"judge": relation.judge.user_id, "uscc": relation.organization_uscc, "kind": relation.kind})
        relation.delete()


# -- import ---------------------------------------------------------------------------------
COLUMNS = ("username", "name", "email", "title", "affiliation", "affiliation_uscc", "expertise")
ALIASES = {
    "用户名": "username", "账号": "username", "姓名": "name", "邮箱": "email", "电子邮箱": "email",
    "职称": "title", "职称/职务": "title", "工作单位": "affiliation", "单位": "affiliation",
    "统一社会信用代码": "affiliation_uscc", "工作单位统一社会信用代码": "affiliation_uscc",
    "专业领域": "expertise", "专业": "expertise",
}


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.created) + len(self.updated)


def _read_rows(data: bytes, filename: str) -> list[list[str]]:
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001  (any parse failure is a bad file)
            raise JudgingError(_("无法读取 Excel 文件，请确认是 .xlsx 格式。"), code="invalid_file",
                               field_errors={"file": [_("无法读取 Excel 文件，请确认是 .xlsx 格式。")]}) from exc
        sheet = workbook.worksheets[0]
        rows = [["" if v is None else str(v).strip() for v in row] for row in sheet.iter_rows(values_only=True)]
        workbook.close()
        return rows
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise JudgingError(_("无法识别文件编码，请使用 UTF-8 编码的 CSV 或 Excel 文件。"), code="invalid_file",
                           field_errors={"file": [_("无法识别文件编码。")]})
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]


def judges_import(*, file, actor, filename: str | None = None, system: bool = False,
                  ip: str | None = None) -> ImportResult:
    """Import judges from CSV or XLSX with the columns username, name, email, title, affiliation,
    affiliation_uscc, expertise (English or Chinese headers). New users join the judge group;
    existing ones get their profile updated. Any bad row → JudgingError listing every row
    error, and nothing is imported."""
    _require_secretariat(actor, system)
    if isinstance(file, (bytes, bytearray)):
        data = bytes(file)
    elif isinstance(file, str):
        with open(file, "rb") as handle:
            data = handle.read()
        filename = filename or file
    else:
        data = file.read()
        filename = filename or getattr(file, "name", "") or ""
    rows = [r for r in _read_rows(data, filename or "") if any(cell for cell in r)]
    if not rows:
        raise JudgingError(_("文件是空的。"), code="invalid_file", field_errors={"file": [_("文件是空的。")]})
    header = [ALIASES.get(h.strip(), h.strip().lower()) for h in rows[0]]
    missing_cols = [c for c in ("username", "name") if c not in header]
    if missing_cols:
        msg = _("缺少必需的列：%(cols)s（应包含 %(all)s）。") % {"cols": pgettext("list separator", "、").join(missing_cols),
                                                          "all": ", ".join(COLUMNS)}
        raise JudgingError(msg, code="invalid_file", field_errors={"file": [msg]})
    User = get_user_model()
    parsed, errors, seen = [], [], set()
    for number, raw in enumerate(rows[1:], start=2):
        record = {col: (raw[i] if i < len(raw) else "") for i, col in enumerate(header) if col in COLUMNS}
        problems = [m for ms in _account_problems(username=record.get("username", ""), name=record.get("name", ""),
                                                  email=record.get("email", "")).values() for m in ms]
        code, uscc_problems = uscc_field_problems(record.get("affiliation_uscc", ""), required=False)
        problems += uscc_problems
        username = record.get("username", "").strip()
        if username in seen:
            problems.append(_("用户名在文件中重复。"))
        seen.add(username)
        if problems:
            errors.append(_("第 %(n)d 行（%(user)s）：%(problems)s") % {
                "n": number, "user": username or "?", "problems": pgettext("reason separator", "；").join(problems)})
            continue
        record["affiliation_uscc"] = code
        parsed.append(record)
    if errors:
        raise JudgingError(_("导入文件有 %(n)d 行错误，未导入任何数据。") % {"n": len(errors)}, code="invalid_rows",
                           field_errors={"rows": errors})
    result = ImportResult()
    existing = {u.username: u for u in User.objects.filter(username__in=[r["username"].strip() for r in parsed])}
    with transaction.atomic():
        for record in parsed:
            username = record["username"].strip()
            profile = {k: record[k] for k in ("title", "affiliation", "affiliation_uscc", "expertise") if k in record}
            user = existing.get(username)
            if user is None:
                user = _create_user(username=username, name=record["name"], email=record.get("email", ""),
                                    password=None)
                result.created.append(username)
            else:
                user.groups.add(Group.objects.get(name=JUDGE))
                forget_roles(user)
                result.updated.append(username)
            judge_profile_save(user=user, actor=actor, system=True, ip=ip, **profile)
        marker = types.SimpleNamespace(pk=f"import-{len(parsed)}")
        audit_record(obj=marker, object_type="judging.judgeimport", action="judges.import", actor=actor, ip=ip,
                     data={"file": filename or "", "created": result.created, "updated": result.updated})
    return result
