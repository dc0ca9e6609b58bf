"""The demo: judge profiles are seeded idempotently and judge8's conflict shows."""
import io

from django.contrib.auth import get_user_model
from django.core.management import call_command

from judging.models import Assignment, Conflict, JudgeProfile, JudgeRelation
from judging.selectors import conflict_reasons
from judging.services import assignments_auto_assign
from nominations.models import Application, Cycle


def test_seed_demo_adds_the_judge_pool_idempotently_and_auto_assign_skips_judge8(db):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    assert JudgeProfile.objects.count() == 8
    assert JudgeRelation.objects.count() == 1
    User = get_user_model()
    judge8 = User.objects.get(username="judge8")
    app = Application.objects.get(organization__name="上海临港新材料科技有限公司")
    assert app.state == "accepted"
    assert conflict_reasons(judge=judge8, organization=app.organization) == [
        "系统检测：专家曾为该单位（上海临港新材料科技有限公司）提供咨询或辅导"]
    assert Conflict.objects.filter(judge=judge8, source="detected").count() == 1
    result = assignments_auto_assign(cycle=Cycle.objects.get(programme__code="MQA", label="2018"), stage="document",
                                     judges_per_application=5, actor=User.objects.get(username="secretariat"),
                                     seed=2018)
    assert len(result.created) == 5 and result.unfilled == []
    assert judge8.pk not in set(Assignment.objects.filter(application=app).values_list("judge_id", flat=True))
