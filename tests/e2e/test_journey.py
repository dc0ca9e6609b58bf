"""One award, from application to a verified certificate, through the web UI only.

Each persona has its own browser context (its own session). The only thing the test does
outside the browser is to let time pass: the 公示 window is moved into the past after the
objection has been dealt with (nobody waits seven days in CI). Everything else is clicked.

Screenshots of the key pages at 1366 and 390 px go to the artifacts folder; the browser
console must stay free of errors on every page visited."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from nominations.demo import sample_pdf
from tests import factories as f

from .conftest import DESKTOP, PHONE

PASSWORD = "Journey-2026-pass"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Persona:
    """A signed-in browser context for one user, collecting console errors."""

    def __init__(self, journey, username: str | None):
        self.journey = journey
        self.username = username
        journey.personas.append(self)
        self.context = journey.browser.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: journey.errors.append(f"{username}: page error {exc}"))
        self.page.on("dialog", lambda dialog: dialog.accept())
        if username:
            self.login()

    def _console(self, msg):
        if msg.type == "error":
            self.journey.errors.append(f"{self.username} on {self.page.url}: {msg.text}")

    def url(self, path: str) -> str:
        return self.journey.base + path

    def go(self, path: str):
        self.page.goto(self.url(path))
        return self.page

    def login(self):
        page = self.go("/login/")
        page.get_by_label("用户名").fill(self.username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()
        assert "/login/" not in page.url, f"{self.username} could not sign in"

    def shot(self, name: str):
        """Screenshot the current page at desktop width, then the same URL at phone width."""
        self.journey.shot(self.page, name)
        phone = self.journey.browser.new_context(viewport=PHONE, storage_state=self.context.storage_state(),
                                                 locale="zh-CN", timezone_id="Asia/Shanghai",
                                                 is_mobile=True, has_touch=True)
        page = phone.new_page()
        page.on("console", self._console)
        page.goto(self.page.url)
        self.journey.shot(page, name, phone=True)
        # Nothing may force the phone page wider than the screen.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"] + 1, f"{name}: page is {width}px wide on a {PHONE['width']}px phone"
        phone.close()


class Journey:
    def __init__(self, browser, live_server, artifacts_dir):
        self.browser = browser
        self.base = live_server.url
        self.artifacts = artifacts_dir
        self.errors: list[str] = []
        self.count = 0
        self.personas: list[Persona] = []

    def on_failure(self):
        for persona in self.personas:
            name = persona.username or "anonymous"
            persona.page.screenshot(path=str(self.artifacts / f"FAILED-{name}.png"), full_page=True)

    def shot(self, page, name: str, phone: bool = False):
        if not phone:
            self.count += 1
        suffix = "phone" if phone else "desktop"
        page.screenshot(path=str(self.artifacts / f"{self.count:02d}-{name}-{suffix}.png"), full_page=True)


@pytest.fixture
def world(settings, live_server):
    """Catalog, an open Quality Benchmark cycle and the people who take part in it."""
    from nominations.models import Cycle

    f.ensure_catalog_data()
    settings.SITE_URL = live_server.url
    sec = f.UserFactory(username="sec", first_name="秘书处", groups=["secretariat"], password=PASSWORD)
    cycle = f.open_cycle("QB", secretariat=sec)
    Cycle.objects.filter(pk=cycle.pk).update(judges_document=3, notice_days=7)
    org = f.OrganizationFactory(name="上海旅程精密制造有限公司")
    applicant = f.UserFactory(username="applicant", first_name="李申报", password=PASSWORD)
    f.member(applicant, org)
    unit = f.RecommendingUnitFactory(name="浦东新区市场监督管理局")
    recommender = f.UserFactory(username="recommender", first_name="周推荐", password=PASSWORD)
    f.recommender_member(recommender, unit)
    judges = [f.UserFactory(username=f"judge{i}", first_name=name, groups=["judge"], password=PASSWORD)
              for i, name in enumerate(["王建国", "陈晓梅", "刘志强"], start=1)]
    committee = f.UserFactory(username="committee", first_name="赵审定", groups=["committee"], password=PASSWORD)
    return {"cycle": cycle, "org": org, "unit": unit, "sec": sec, "applicant": applicant,
            "recommender": recommender, "judges": judges, "committee": committee}


def test_one_award_from_application_to_verified_certificate(browser, live_server, artifacts_dir, world):
    journey = Journey(browser, live_server, artifacts_dir)
    try:
        walk(journey, world)
    except BaseException:
        journey.on_failure()
        raise


def walk(journey, world):
    cycle = world["cycle"]

    # 1. The applicant creates the application, fills it in, uploads and submits.
    applicant = Persona(journey, "applicant")
    page = applicant.go("/applications/new/")
    page.get_by_role("link", name=re.compile("申报.*典型经验")).click()
    page.get_by_label("项目名称").fill("精益+数字化双轮驱动的质量管理模式")
    page.get_by_label("推荐单位").select_option(value=str(world["unit"].pk))
    page.get_by_role("button", name="创建申报草稿").click()
    page.wait_for_url(re.compile(r"/applications/\d+/edit/"))
    app_id = int(re.search(r"/applications/(\d+)/", page.url).group(1))
    page.get_by_label("典型经验名称").fill("以客户为中心的全员质量改进")
    page.get_by_label(re.compile("经验概述")).fill("建立覆盖研发、制造、服务的质量改进体系，可复制、可推广。")
    page.locator("input[type=radio][value=true]").check()
    page.get_by_label(re.compile("诚信承诺|我承诺")).check()
    # The form saves itself and says when, in Beijing time.
    page.locator("[data-autosave-status], .autosave-status, #autosave-status").first.filter(
        has_text=re.compile("已自动保存|上次保存")).wait_for()
    for kind in ("application_form", "self_assessment"):
        page.set_input_files(f"#file-{kind}", files=[{"name": f"{kind}.pdf", "mimeType": "application/pdf",
                                                       "buffer": sample_pdf(kind)}])
        page.locator(f"#upload-{kind}").click()
        page.locator(f"#doc-{kind}").get_by_text(f"{kind}.pdf").first.wait_for()
    # Uploading did not reload the page: what was typed is still there.
    assert page.get_by_label("典型经验名称").input_value() == "以客户为中心的全员质量改进"
    applicant.shot("applicant-form")
    page.locator("#submit-application").click()
    confirm_if_asked(page)
    from nominations.models import Application
    assert Application.objects.get(pk=app_id).state == "submitted", page.content()[:2000]

    # 2. The recommending unit endorses it.
    recommender = Persona(journey, "recommender")
    page = recommender.go("/recommender/")
    recommender.shot("recommender-queue")
    page.get_by_role("link", name=re.compile("^审核")).first.click()
    page.get_by_role("button", name="推荐", exact=True).click()
    confirm_if_asked(page)
    assert state(app_id) == "endorsed"

    # 3. The secretariat accepts it after formal review, closes the call and starts judging.
    sec = Persona(journey, "sec")
    page = sec.go(f"/secretariat/applications/{app_id}/review/")
    sec.shot("secretariat-review")
    page.get_by_role("button", name="受理", exact=True).click()
    confirm_if_asked(page)
    assert state(app_id) == "accepted"
    from nominations.models import Cycle
    Cycle.objects.filter(pk=cycle.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    for name, target in (("close", "closed"), ("start_judging", "judging")):
        page = sec.go(f"/secretariat/cycles/{cycle.pk}/")
        page.locator(f"#cycle-{name}").click()
        page.wait_for_load_state()
        if name == "close":
            sec.shot("close-confirmation")
        assert Cycle.objects.get(pk=cycle.pk).status != target, "nothing happens before the confirmation"
        confirm_if_asked(page)
        assert Cycle.objects.get(pk=cycle.pk).status == target, name

    # 4. Three judges are assigned automatically.
    page = sec.go(f"/judging/cycles/{cycle.pk}/assignments/")
    page.get_by_role("button", name=re.compile("自动分配")).click()
    confirm_if_asked(page)
    from judging.models import Assignment
    assert Assignment.objects.filter(application_id=app_id).count() == 3
    # 5. Each judge accepts (no conflict of interest); then document review starts.
    percents = {"judge1": "70", "judge2": "60", "judge3": "65"}
    judges = {}
    for username in percents:
        judge = judges[username] = Persona(journey, username)
        page = judge.go("/judging/")
        if username == "judge1":
            judge.shot("judge-home")
        page.get_by_role("button", name=re.compile("接受任务")).first.click()
        confirm_if_asked(page)
    page = sec.go(f"/judging/cycles/{cycle.pk}/assignments/")
    sec.shot("assignment-board")
    page.get_by_role("button", name=re.compile("开始资料评审")).first.click()
    confirm_if_asked(page)
    assert state(app_id) == "document_review"

    # 6. Each judge scores (autosave seen on screen) and submits.
    for username, percent in percents.items():
        judge = judges[username]
        page = judge.go("/judging/")
        page.get_by_role("link", name=re.compile("^(开始评分|继续评分)")).first.click()
        page.wait_for_url(re.compile(r"/judging/assignments/\d+/"))
        criteria = page.locator("article.item[data-criterion]")
        first = criteria.first.get_attribute("data-criterion")
        page.locator(f"input[name='p-{first}'][value='{percent}']").check(force=True)
        page.locator("[data-save-status]").first.filter(has_text=re.compile("已保存|已自动保存")).wait_for()
        if username == "judge1":
            judge.shot("scoresheet-autosaved")
        for code in criteria.evaluate_all("els => els.map(e => e.dataset.criterion)"):
            page.locator(f"input[name='p-{code}'][value='{percent}']").check(force=True)
        page.locator("[data-save-status]").first.filter(has_text=re.compile("已保存|已自动保存")).wait_for()
        page.locator("#scoresheet button[data-submit-sheet]").first.click()
        confirm_if_asked(page)
        assert Assignment.objects.get(application_id=app_id, judge__username=username).state == "submitted"

    # 7. Consensus, then the review is finished.
    page = sec.go(f"/judging/applications/{app_id}/consensus/document/")
    sec.shot("consensus")
    page.get_by_role("button", name="保存合议分").click()
    confirm_if_asked(page)
    page = sec.go(f"/applications/{app_id}/")
    page.get_by_role("button", name="完成评审", exact=True).click()
    confirm_if_asked(page)
    assert state(app_id) == "evaluated"
    page = sec.go(f"/secretariat/cycles/{cycle.pk}/")
    page.locator("#cycle-start_deliberation").click()
    confirm_if_asked(page)
    assert Cycle.objects.get(pk=cycle.pk).status == "deliberation"

    # 8. The committee's decision is recorded after a confirmation.
    page = sec.go(f"/judging/applications/{app_id}/decision/")
    page.get_by_label("审定通过", exact=True).check()
    page.get_by_label(re.compile("赞成")).fill("11")
    page.get_by_label(re.compile("反对")).fill("2")
    page.get_by_label(re.compile("弃权")).fill("1")
    page.get_by_role("button", name="核对并记录审定结果").click()
    page.wait_for_load_state()
    sec.shot("decision-confirm")
    assert state(app_id) == "evaluated", "the decision must not be recorded before it is confirmed"
    page.get_by_role("button", name="确认记录").click()
    page.wait_for_load_state()
    assert state(app_id) == "approved"

    # 9. 公示 opened from the notice desk.
    page = sec.go(f"/secretariat/cycles/{cycle.pk}/notice/")
    page.get_by_label(re.compile("公示说明")).fill("经评审委员会审定，现将拟授予上海市质量标杆的名单予以公示。")
    page.get_by_label(re.compile("联系方式|受理联系")).fill("市质量奖评审秘书处 021-12345678")
    page.get_by_role("button", name="开始公示").click()
    confirm_if_asked(page)
    assert state(app_id) == "public_notice"
    sec.shot("notice-desk")

    # 10. A member of the public files a real-name objection; the secretariat investigates and dismisses it.
    public = Persona(journey, None)
    ppage = public.go("/notices/")
    ppage.get_by_role("link", name=re.compile("公示")).first.click()
    public.shot("public-notice")
    ppage.get_by_role("link", name=re.compile("提出异议|我要异议|提交异议")).first.click()
    ppage.get_by_label(re.compile("哪一项")).select_option(index=1)
    ppage.get_by_label(re.compile("姓名")).fill("张监督")
    ppage.get_by_label(re.compile("电话")).fill("13800138000")
    ppage.get_by_label(re.compile("邮箱|电子邮件")).fill("zhang@example.com")
    ppage.get_by_label(re.compile("异议内容|内容")).fill("该单位2017年曾发生一起产品质量投诉，请核实。")
    ppage.get_by_label(re.compile("本人承诺")).check()
    ppage.get_by_role("button", name="提交异议").click()
    ppage.wait_for_load_state()
    receipt = re.search(r"\d{2}-[A-Z]+-[0-9A-Z]{5}", ppage.content())
    assert receipt, "the objector gets a receipt"
    public.shot("objection-received")
    page = sec.go("/secretariat/objections/")
    page.get_by_role("link", name=re.compile(receipt.group(0) + "|张监督")).first.click()
    page.get_by_role("button", name="开始调查核实").click()
    confirm_if_asked(page)
    page.locator("#objection-dismiss").click()
    page.get_by_label("书面处理结果").fill("经核实，该投诉已于2017年妥善处理，不影响授奖。")
    sec.shot("objection-outcome")
    confirm_if_asked(page)
    from nominations.models import Objection, PublicNotice
    assert Objection.objects.get().status == "dismissed"

    # 11. Time passes: the 公示 window ends. The secretariat confirms and publishes.
    PublicNotice.objects.filter(cycle=cycle).update(starts_at=timezone.now() - dt.timedelta(days=8),
                                                    ends_at=timezone.now() - dt.timedelta(minutes=1))
    page = sec.go(f"/secretariat/cycles/{cycle.pk}/notice/")
    page.locator(f"#confirm-app-{app_id}").click()
    page.wait_for_load_state()
    assert state(app_id) == "public_notice", "nothing happens before the confirmation"
    confirm_if_asked(page)
    assert state(app_id) == "awarded"
    page = sec.go(f"/secretariat/cycles/{cycle.pk}/publication/")
    page.locator("#publish-start").click()
    page.wait_for_load_state()
    page.locator("textarea").first.fill("经评审委员会审定并公示，现将2018年度上海市质量标杆名单予以公告。")
    sec.shot("publish-confirmation")
    assert state(app_id) == "awarded"
    confirm_if_asked(page)
    assert state(app_id) == "published"
    # The certificate batch reports its progress until the combined print file is ready.
    page.get_by_role("link", name="下载合并打印 PDF").wait_for(timeout=90_000)
    sec.shot("publication-done")

    # 12. The applicant downloads the certificate; anyone verifies it by number and check code.
    from nominations.models import Certificate
    certificate = Certificate.objects.get(application_id=app_id)
    page = applicant.go("/results/")
    applicant.shot("applicant-results")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("证书")).first.click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    # What a person holding the printed certificate reads under the QR code.
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    number = re.search(r"[A-Z]+-\d{4}-\d{3}", text).group(0)
    check = re.search(r"查验码\s*(\S{8})", text).group(1)
    assert (number, check) == (certificate.number, certificate.verification_code[:8])
    ppage = public.go("/verify/")
    ppage.get_by_label("证书编号").fill(number)
    ppage.get_by_label("查验码").fill(check)
    ppage.get_by_role("button", name="查验").first.click()
    ppage.wait_for_load_state()
    assert "有效" in ppage.content()
    public.shot("verified")

    assert not journey.errors, journey.errors


def state(app_id: int) -> str:
    from nominations.models import Application
    return Application.objects.values_list("state", flat=True).get(pk=app_id)


def confirm_if_asked(page):
    """Irreversible acts ask first, on a confirmation page: confirm there."""
    page.wait_for_load_state()
    confirm = page.locator("form button[type=submit][id^='confirm-']")
    if confirm.count():
        confirm.first.click()
        page.wait_for_load_state()
