"""Security headers (issue 8 §7): a Content-Security-Policy with no inline script or style, a
Referrer-Policy and a Permissions-Policy on every answer — and the pages really have no inline
script, style, style attribute, event handler or javascript: URL (a crawler visits every page
each persona can reach by following links, and parses it)."""
from __future__ import annotations

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client

from tests import factories as f
from tests.security.test_bad_input import world  # noqa: F401  (fixture: a cycle in review, drafts, judges)

SKIP = ("/logout", "/i18n/", "/static/", "/api/", "/admin/logout", "/healthz", "/readyz")
SKIP_ENDINGS = (".pdf", ".xlsx", ".csv", ".zip", ".png", ".svg", "/download/", "/export/")
PAGES_PER_PERSONA = 150


class InlineFinder(HTMLParser):
    """Collects what a strict CSP (script-src/style-src 'self') would block."""

    DATA_SCRIPTS = {"application/json", "application/ld+json", "text/template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src") and (attrs.get("type") or "").lower() not in self.DATA_SCRIPTS:
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs.items():
            if name == "style":
                self.found.append(f'style="{value}" on <{tag}>')
            elif name.startswith("on"):
                self.found.append(f"{name}= on <{tag}>")
            elif name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                    "javascript:"):
                self.found.append(f"{name}=javascript: on <{tag}>")
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


def assert_headers(response, path: str) -> None:
    csp = response.get("Content-Security-Policy", "")
    directives = dict((part.split(" ", 1) + [""])[:2] for part in (p.strip() for p in csp.split(";")) if part)
    assert directives.get("script-src") == "'self'", (path, csp)
    assert directives.get("style-src") == "'self'", (path, csp)
    assert directives.get("object-src") == "'none'" and directives.get("frame-ancestors") == "'none'", (path, csp)
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, (path, csp)
    assert response["Referrer-Policy"] == "same-origin", path
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


def crawl(client: Client, starts: list[str], limit: int = PAGES_PER_PERSONA) -> tuple[dict, int]:
    """Breadth-first over same-site links from `starts`; returns ({page: [inline things]}, pages seen)."""
    queue, seen, problems = deque(starts), set(starts), {}
    pages = 0
    while queue and pages < limit:
        path = queue.popleft()
        response = client.get(path)
        if response.status_code in (301, 302):
            target = response["Location"]
            if target.startswith("/") and target not in seen:
                seen.add(target)
                queue.append(target)
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        pages += 1
        assert_headers(response, path)
        finder = InlineFinder()
        finder.feed(response.content.decode())
        if finder.found:
            problems[path] = sorted(set(finder.found))
        for href in finder.links:
            href = urldefrag(href)[0]
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if href.startswith(SKIP) or parts.path.endswith(SKIP_ENDINGS) or href in seen:
                continue
            seen.add(href)
            queue.append(href)
    return problems, pages


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_headers_on_pages_api_and_errors(db):
    client = Client()
    for path in ("/", "/login/", "/signup/", "/api/v1/programmes/", "/api/v1/no-such/", "/no-such-page/",
                 "/api/v1/docs/"):
        assert_headers(client.get(path), path)


def test_no_inline_script_or_style_on_any_reachable_page(world, committee_member, recommender):  # noqa: F811
    admin = f.UserFactory(username="root", is_staff=True, is_superuser=True)
    personas = {
        "anonymous": (None, ["/", "/login/", "/signup/", "/notices/", "/winners/", "/verify/", "/verify/x/"]),
        "applicant": (world["applicant"], ["/", f"/applications/{world['ind_draft'].pk}/",
                                           f"/applications/{world['ind_draft'].pk}/edit/", "/password/"]),
        "recommender": (recommender, ["/"]),
        "secretariat": (world["secretariat"], ["/"]),
        "judge": (world["judge"], ["/", "/judging/"]),
        "committee": (committee_member, ["/"]),
        "admin": (admin, ["/admin/", "/admin/nominations/application/", "/admin/nominations/cycle/",
                          f"/admin/nominations/cycle/{world['cycle'].pk}/change/", "/admin/auth/user/add/"]),
    }
    report, total = {}, 0
    for name, (user, starts) in personas.items():
        problems, pages = crawl(_client(user), starts, limit=60 if name == "admin" else PAGES_PER_PERSONA)
        total += pages
        if problems:
            report[name] = problems
    assert report == {}
    assert total >= 60  # the crawl really walked the site


def test_api_docs_page_has_no_inline_code(db):
    client = Client()
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    finder = InlineFinder()
    finder.feed(page.content.decode())
    assert finder.found == []
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and "javascript" in script["Content-Type"]
