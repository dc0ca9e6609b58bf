"""Server-drawn charts: accessible SVG (role="img", <title>, <desc>) with the same numbers in a
table, the 30-point disagreement marked, neutral leniency, the cycle funnel, no inline style or
script, and the ranking's number of queries independent of its size."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from judging.selectors.charts import cycle_funnels, score_distribution
from judging.services.site_visits import application_shortlist, site_report_save
from nominations.services.transitions import application_transition
from tests.judging.conftest import (
    assign_and_accept,
    fill_and_submit,
    gbt_codes,
    make_judges,
    new_accepted_application,
    set_judges_document,
    start_review,
)
from tests.judging.test_web_query_counts import queries

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _figure(html: str, key: str) -> str:
    match = re.search(rf'<figure class="chart[^"]*" id="chart-{re.escape(key)}">.*?</figure>', html, re.S)
    assert match, key
    return match.group(0)


def _table(figure: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", figure, re.S).group(1)
    return [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def _no_inline_style_or_script(html: str) -> None:
    assert " style=" not in html and "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)


@pytest.fixture
def disputed(cycle, recommender, unit, secretariat):
    """An application in document review, two judges 35 points apart on the first item."""
    set_judges_document(cycle, 2)
    j1, j2 = make_judges(2)
    app = new_accepted_application(cycle=cycle, recommender=recommender, unit=unit, secretariat=secretariat)
    a1, a2 = assign_and_accept(app, [j1, j2], secretariat)
    app = start_review(app, secretariat)
    code = gbt_codes()[0]
    fill_and_submit(a1, j1, {code: 80})
    fill_and_submit(a2, j2, {code: 45})
    return app, code, (j1, j2)


def test_consensus_page_charts_each_judge_total_and_the_item_spread(disputed, secretariat):
    app, code, (j1, j2) = disputed

    html = _client(secretariat).get(reverse("judging:consensus", args=[app.pk, "document"])).content.decode()

    totals = _figure(html, "a-totals")
    assert 'role="img"' in totals and "<title id=\"a-totals-t\">各专家总分</title>" in totals
    assert "<desc id=\"a-totals-d\">" in totals
    rows = _table(totals)
    # 22 items at 50 % plus the first item at 80 % / 45 %: totals from the sheets, exactly
    assert rows[0][0] == "专家J1" and rows[1][0] == "专家J2"
    first, second = Decimal(rows[0][1]), Decimal(rows[1][1])
    assert first - second == Decimal(50) * Decimal("0.35")
    items = _figure(html, "a-items")
    assert f"相差 30 个百分点及以上的条款：{code}" in items
    [flagged] = [r for r in _table(items) if r[0].startswith(code)]
    assert flagged[1:4] == ["80%", "45%", "35 ▲"]
    assert items.count('class="chart-flag-row"') == 1
    _no_inline_style_or_script(html)


def test_ranking_page_charts_with_tables_and_neutral_leniency(disputed, cycle, secretariat):
    app, code, _judges = disputed
    category = app.category

    html = _client(secretariat).get(reverse("judging:ranking", args=[cycle.pk]),
                                    {"category": category.pk}).content.decode()

    heat = _figure(html, "r-heat")
    assert 'role="img"' in heat and 'class="heat heat-3 heat-flag"' in heat
    [row] = _table(heat)
    assert row[0] == app.reference and row[1] == "35" and set(row[2:]) == {"0"}
    leniency = _figure(html, "r-len")
    assert [r[3] for r in _table(leniency)] == ["+17.5", "-17.5"]
    assert "chart-bar--neutral" in leniency
    assert 'class="num lenient"' not in html and 'class="num strict"' not in html
    dist = _figure(html, "r-dist")
    assert sum(int(r[1]) for r in _table(dist)) == 1
    funnel = _figure(html, "r-funnel")
    assert [r[:2] for r in _table(funnel)] == [["申报", "1"], ["受理", "1"], ["完成资料评审", "0"], ["入围审定", "0"],
                                               ["审定通过", "0"], ["发布", "0"]]
    _no_inline_style_or_script(html)


def test_committee_view_charts_name_judges_only_for_the_secretariat(cycle, recommender, unit, secretariat,
                                                                    committee_member):
    set_judges_document(cycle, 2)
    j1, j2 = make_judges(2)
    app = new_accepted_application(cycle=cycle, recommender=recommender, unit=unit, secretariat=secretariat)
    docs = assign_and_accept(app, [j1, j2], secretariat)
    app = start_review(app, secretariat)
    fill_and_submit(docs[0], j1, 70)
    fill_and_submit(docs[1], j2, 70)
    app = application_shortlist(application=app, actor=secretariat)
    site = assign_and_accept(app, [j1, j2], secretariat, stage="site")
    code = gbt_codes()[2]
    fill_and_submit(site[0], j1, {code: 90})
    fill_and_submit(site[1], j2, {code: 40})
    site_report_save(application=app, actor=j1, summary="现场核实了关键过程。", recommendation="建议授奖")
    app = application_transition(application=app, name="finish_review", actor=secretariat)
    url = reverse("judging:committee_application", args=[app.pk])

    member = _client(committee_member).get(url).content.decode()
    staff = _client(secretariat).get(url).content.decode()

    rows = _table(_figure(member, f"app{app.pk}-totals"))
    assert [r[0] for r in rows[:2]] == ["专家 A", "专家 B"] and "专家J1" not in member
    assert [r[0] for r in _table(_figure(staff, f"app{app.pk}-totals"))[:2]] == ["专家J1", "专家J2"]
    assert f"相差 30 个百分点及以上的条款：{code}" in member
    assert "现场核实了关键过程。" in member
    ranking = _client(committee_member).get(reverse("judging:committee_ranking", args=[cycle.pk]),
                                            {"category": app.category_id}).content.decode()
    assert 'id="chart-c-heat"' in ranking and 'id="chart-c-funnel"' in ranking
    _no_inline_style_or_script(member)


def test_committee_view_refuses_an_application_not_yet_evaluated(disputed, committee_member):
    app, _code, _judges = disputed

    response = _client(committee_member).get(reverse("judging:committee_application", args=[app.pk]))

    assert response.status_code == 404


def test_funnel_counts_how_far_applications_got(cycle, recommender, unit, secretariat, draft, submitted):
    new_accepted_application(cycle=cycle, recommender=recommender, unit=unit, secretariat=secretariat)

    [steps] = cycle_funnels([cycle.pk]).values()

    assert [(s.key, s.count, s.percent) for s in steps] == [
        ("applied", 2, 100), ("accepted", 1, 50), ("reviewed", 0, 0), ("shortlisted", 0, 0), ("approved", 0, 0),
        ("published", 0, 0)]


def test_score_distribution_bins_include_the_top():
    bins = score_distribution([Decimal("0"), Decimal("49.99"), Decimal("50"), Decimal("1000"), None], top=Decimal(1000))

    assert len(bins) == 20 and bins[0].high == 50
    assert [b.count for b in bins if b.count] == [2, 1, 1]
    assert bins[-1].count == 1


def test_ranking_queries_with_charts_do_not_grow(cycle, recommender, unit, secretariat):
    set_judges_document(cycle, 2)
    j1, j2 = make_judges(2)
    client = _client(secretariat)
    category = cycle.categories.get(code="ORG")

    def scored():
        app = new_accepted_application(cycle=cycle, recommender=recommender, unit=unit, secretariat=secretariat)
        a1, a2 = assign_and_accept(app, [j1, j2], secretariat)
        start_review(app, secretariat)
        fill_and_submit(a1, j1, 60)
        fill_and_submit(a2, j2, 70)

    scored()
    urls = [reverse("judging:ranking", args=[cycle.pk]), reverse("judging:committee_ranking", args=[cycle.pk])]
    one = [queries(client, url, {"category": category.pk}) for url in urls]
    scored()
    scored()

    three = [queries(client, url, {"category": category.pk}) for url in urls]

    assert three == one
    html = client.get(urls[0], {"category": category.pk}).content.decode()
    assert len(_table(_figure(html, "r-heat"))) == 3
