"""The demo: judge profiles are seeded idempotently and judge8's conflict shows."""
import io

from django.contrib.auth import get_user_model
from django.core.management import call_command

from judging.models import Assignment, Conflict, JudgeProfile, JudgeRelation
from judging.selectors import conflict_reasons
from judging.services import assignments_auto_assign
from nominations.models import Application, Cycle
from nominations.services.acts import application_act


def test_seed_demo_adds_the_judge_pool_idempotently_and_auto_assign_skips_judge8(db):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    assert JudgeProfile.objects.count() == 8
    assert JudgeRelation.objects.count() == 1
    User = get_user_model()
    judge8 = User.objects.get(username="judge8")
    app = Application.objects.get(organization__name="上海临港新材料科技有限公司", cycle__label="2018")
    assert app.state == "accepted"
    assert conflict_reasons(judge=judge8, organization=app.organization) == [
        "系统检测：专家曾为该单位（上海临港新材料科技有限公司）提供咨询或辅导"]
    assert Conflict.objects.filter(judge=judge8, source="detected").count() == 1
    result = assignments_auto_assign(cycle=Cycle.objects.get(programme__code="MQA", label="2018"), stage="document",
                                     judges_per_application=5, actor=User.objects.get(username="secretariat"),
                                     seed=2018)
    assert len(result.created) == 5 and result.unfilled == []
    assert judge8.pk not in set(Assignment.objects.filter(application=app).values_list("judge_id", flat=True))


def test_seed_demo_prepares_the_publication_walk(db, client, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from nominations.models import Certificate, Objection
    from nominations.services.transitions import application_transition

    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    qb = {a.organization.name: a for a in Application.objects.filter(cycle__programme__code="QB",
                                                                     state="public_notice")}
    assert sorted(qb) == ["上海东方明珠食品集团有限公司", "上海申城智能电网科技股份有限公司"]
    ended, open_ = qb["上海申城智能电网科技股份有限公司"], qb["上海东方明珠食品集团有限公司"]
    now = timezone.now()
    assert ended.notices.get().ends_at < now < open_.notices.get().ends_at
    assert list(Objection.objects.values_list("application_id", "status")) == [(ended.pk, "dismissed")]
    secretariat = get_user_model().objects.get(username="secretariat")
    application_act(application=ended.pk, name="confirm", actor=secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        application_act(application=ended.pk, name="publish", actor=secretariat, note="发布",
                        announcement="经公示无异议，现予公布。")
    cert = Certificate.objects.get(application=ended)
    assert cert.number == "QB-2016-001" and cert.pdf_size > 0
    # published one by one, it is public at once: the winners API lists it (beside the 2015 benchmark
    # winners that host the demo's events, events/demo.py)
    assert sorted(w["certificate_number"] for w in client.get("/api/v1/public/winners/").json()) == [
        "QB-2015-001", "QB-2015-002", "QB-2016-001"]
    body = client.get(f"/api/v1/public/certificates/{cert.verification_code}/").json()
    assert (body["number"], body["status"], body["holder"]) == ("QB-2016-001", "valid", "上海申城智能电网科技股份有限公司")


def test_seed_demo_leaves_two_rankings_for_the_committee(db, client):
    """committee1's 工作台 has something to decide: two evaluated applications, one flagged."""
    call_command("seed_demo", stdout=io.StringIO())
    waiting = Application.objects.filter(state="evaluated", cycle__status="deliberation")
    assert sorted(waiting.values_list("organization__name", flat=True)) == [
        "上海临港新材料科技有限公司", "上海长三角物流服务有限公司"]
    client.force_login(get_user_model().objects.get(username="committee1"))
    html = client.get("/").content.decode()
    assert "待审定的排名" in html
    assert all(app.organization.name in html for app in waiting)
