"""Importing the judge pool from CSV or Excel: all rows or nothing."""
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook
from rest_framework.test import APIClient

from judging.errors import JudgingError, NotPermitted
from judging.models import Conflict, JudgeProfile
from judging.services import judges_import
from nominations.identifiers import make_org_code_uscc
from nominations.rules import is_judge

GOOD_USCC = make_org_code_uscc("12310000", "42500001")
HEADER = "username,name,email,title,affiliation,affiliation_uscc,expertise\n"


def csv_bytes(*rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode("utf-8")


def test_csv_import_creates_judges_with_profiles(secretariat):
    data = csv_bytes(f"wang,王建国,wang@example.com,教授,上海交通大学,{GOOD_USCC},装备制造；卓越绩效",
                     "li,李秀英,li@example.com,高级工程师,上海市质量协会,,食品制造")
    result = judges_import(file=data, actor=secretariat, filename="judges.csv")
    assert (result.created, result.updated) == (["wang", "li"], [])
    wang = get_user_model().objects.get(username="wang")
    assert is_judge(wang) and not wang.has_usable_password()
    profile = JudgeProfile.objects.get(user=wang)
    assert (profile.title, profile.affiliation, profile.affiliation_uscc, profile.expertise) == (
        "教授", "上海交通大学", GOOD_USCC, ["装备制造", "卓越绩效"])


def test_one_bad_row_imports_nothing_and_lists_every_row_error(secretariat):
    data = csv_bytes(f"wang,王建国,wang@example.com,教授,上海交通大学,{GOOD_USCC},装备制造",
                     "li,,not-an-email,,,913101150000000001,",
                     "wang,王二,,,,,")
    with pytest.raises(JudgingError) as exc:
        judges_import(file=data, actor=secretariat, filename="judges.csv")
    rows = exc.value.field_errors["rows"]
    assert len(rows) == 2
    assert rows[0].startswith("第 3 行（li）：请填写姓名。；邮箱格式不正确。；统一社会信用代码校验位错误")
    assert rows[1] == "第 4 行（wang）：用户名在文件中重复。"
    assert not get_user_model().objects.filter(username__in=["wang", "li"]).exists()


def test_xlsx_with_chinese_headers_and_existing_user_is_updated(secretariat, judge):
    wb = Workbook()
    ws = wb.active
    ws.append(["用户名", "姓名", "邮箱", "职称", "工作单位", "统一社会信用代码", "专业领域"])
    ws.append(["judge", "评审甲", "judge@example.com", "研究员", "上海市计量测试技术研究院", "", "计量、检测"])
    ws.append(["zhao", "赵敏", "zhao@example.com", "副教授", "复旦大学", "", "战略管理"])
    out = io.BytesIO()
    wb.save(out)
    upload = SimpleUploadedFile("专家.xlsx", out.getvalue())
    client = APIClient()
    client.force_authenticate(secretariat)
    response = client.post("/api/v1/judges/import/", {"file": upload}, format="multipart")
    assert response.status_code == 200
    assert response.json() == {"created": ["zhao"], "updated": ["judge"]}
    assert JudgeProfile.objects.get(user=judge).expertise == ["计量", "检测"]


def test_import_records_conflicts_revealed_by_affiliation(secretariat, organization):
    data = csv_bytes(f"zhou,周立,zhou@example.com,,{organization.name},{organization.uscc},")
    judges_import(file=data, actor=secretariat, filename="judges.csv")
    conflict = Conflict.objects.get()
    assert (conflict.judge.username, conflict.organization, conflict.source) == ("zhou", organization, "detected")


def test_only_secretariat_imports_and_the_command_reports_errors(judge, tmp_path):
    with pytest.raises(NotPermitted):
        judges_import(file=csv_bytes("a,甲,,,,,"), actor=judge, filename="x.csv")
    path = tmp_path / "judges.csv"
    path.write_bytes(csv_bytes("ok1,甲,,,,,", "bad user!,乙,,,,,"))
    with pytest.raises(CommandError, match="第 3 行"):
        call_command("import_judges", str(path), stdout=io.StringIO())
    path.write_bytes(csv_bytes("ok1,甲,,,,,"))
    out = io.StringIO()
    call_command("import_judges", str(path), stdout=out)
    assert "1 created" in out.getvalue()
