"""Pages of query results for the console's lists."""
from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil

from sqlalchemy import func, select

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100


@dataclass
class Page:
    """One page of rows plus what a pager needs to draw itself."""

    items: list = field(default_factory=list)
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    total: int = 0

    @property
    def pages(self) -> int:
        """How many pages there are (at least one, so the pager never shows 1/0)."""
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        """True when there is a page before this one."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """True when there is a page after this one."""
        return self.page < self.pages


def clamp_page(page, per_page=DEFAULT_PER_PAGE, total: int | None = None, most: int = MAX_PER_PAGE) -> tuple[int, int]:
    """Page number and size made safe from whatever a query string said (past the end: the last page)."""
    try:
        page = max(1, int(page))
    except (TypeError, ValueError, OverflowError):
        page = 1
    try:
        per_page = min(most, max(1, int(per_page)))
    except (TypeError, ValueError):
        per_page = DEFAULT_PER_PAGE
    if total is not None:
        # An offset past the rows is an empty page at best and a database overflow at worst.
        page = min(page, max(1, ceil(total / per_page)))
    return page, per_page


def page_of(items: list, page=1, per_page=DEFAULT_PER_PAGE) -> Page:
    """One page of a list already in memory."""
    page, per_page = clamp_page(page, per_page, total=len(items))
    start = (page - 1) * per_page
    return Page(items=items[start:start + per_page], page=page, per_page=per_page, total=len(items))


def paginate(session, stmt, page=1, per_page=DEFAULT_PER_PAGE, most: int = MAX_PER_PAGE) -> Page:
    """Run a select for one page and count all its rows (`most`: a larger page for exports, never from a query)."""
    total = session.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
    page, per_page = clamp_page(page, per_page, total=int(total), most=most)
    rows = session.exec(stmt.offset((page - 1) * per_page).limit(per_page)).all()
    return Page(items=list(rows), page=page, per_page=per_page, total=int(total))
