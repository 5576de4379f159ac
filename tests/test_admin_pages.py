"""Every console page is usable: each field has a <label for>, nothing is loaded from another site, Japanese."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.fixtures.console.support import admin, event_form, fast_hashing, post_form  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_hashing")
PAGES = ["/admin/", "/admin/events/", "/admin/notices/", "/admin/opportunities/", "/admin/events/new",
         "/admin/notices/new", "/admin/opportunities/new", "/admin/queue", "/admin/users", "/admin/audit",
         "/admin/import", "/admin/organizations", "/admin/facilities", "/admin/password", "/admin/unanswered",
         "/admin/districts", "POST"]


class PageScan(HTMLParser):
    """Collects form controls, labels' targets and every URL the page loads."""

    def __init__(self):
        super().__init__()
        self.controls, self.labels, self.loads, self.lang = [], set(), [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "label" and a.get("for"):
            self.labels.add(a["for"])
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            self.controls.append(a.get("id") or a.get("name"))
        if tag in ("script", "img") and a.get("src"):
            self.loads.append(a["src"])
        if tag == "link" and a.get("href"):
            self.loads.append(a["href"])


@pytest.mark.parametrize("path", PAGES)
def test_every_field_is_labelled_and_nothing_comes_from_a_cdn(admin, path):
    if path == "POST":  # a re-rendered form with errors, and a post's own page
        response = post_form(admin, "/admin/events/new", event_form(title=""))
    else:
        response = admin.get(path)
    assert response.status_code == 200
    scan = PageScan()
    scan.feed(response.get_data(as_text=True))
    unlabelled = [c for c in scan.controls if c not in scan.labels]
    assert unlabelled == [], f"{path}: fields without <label for>: {unlabelled}"
    assert all(url.startswith("/admin/static/") for url in scan.loads), scan.loads
    assert scan.lang == "ja"


def test_login_page_is_labelled_too(client):
    scan = PageScan()
    scan.feed(client.get("/admin/login").get_data(as_text=True))
    assert scan.controls and all(c in scan.labels for c in scan.controls)
