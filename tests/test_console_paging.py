"""A page number past the end of any console list shows the last page instead of a server error."""
from __future__ import annotations

import pytest

from tests.fixtures.console.support import fast_hashing, login, make_user  # noqa: F401
from content.paging import clamp_page, page_of

pytestmark = pytest.mark.usefixtures("fast_hashing")
HUGE = "99999999999999999999"
LISTS = ["/admin/users", "/admin/audit", "/admin/organizations", "/admin/facilities", "/admin/events/",
         "/admin/notices/", "/admin/opportunities/", "/admin/queue"]


@pytest.mark.parametrize("asked, total, expected", [
    ("3", 100, 3), (HUGE, 45, 3), (HUGE, 0, 1), ("-4", 45, 1), ("x", 45, 1), ("1e400", 45, 1), (None, None, 1),
])
def test_page_number_is_clamped_into_the_pages_there_are(asked, total, expected):
    assert clamp_page(asked, 20, total=total)[0] == expected


def test_a_list_in_memory_past_its_end_gives_its_last_page():
    page = page_of(list(range(45)), HUGE, 20)
    assert (page.page, page.items, page.has_next) == (3, list(range(40, 45)), False)


@pytest.mark.parametrize("path", LISTS)
def test_console_list_with_a_page_past_the_end_is_not_an_error(app, engine, path):
    make_user(engine, "admin@city.example.jp", "admin")
    client = app.test_client()
    login(client, "admin@city.example.jp")
    response = client.get(f"{path}?page={HUGE}")
    assert response.status_code == 200
