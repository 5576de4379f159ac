"""Every real municipal file in ../shared/opendata imports with a sane report, and re-importing changes nothing."""
from __future__ import annotations

import pytest
from sqlmodel import func, select

from content.importers import import_path
from models import Event, Facility

# file → (kind, rows expected to be stored); facilities first so events can link to them
FILES = {
    "yaizu-public-facilities.csv": ("facilities", 230),
    "yanai-tourism-cp932.csv": ("facilities", 18),
    "template-public-facility-24col.csv": ("facilities", 0),
    "komae-events-2018-2020.csv": ("events", 340),
    "tokorozawa-events-2021-2022.csv": ("events", 109),
    "yaizu-events-excerpt-80col.csv": ("events", 11),
    "template-event-32col.csv": ("events", 0),
}


def test_every_shared_file_imports_and_reimports_without_changes(session, shared_dir):
    folder = shared_dir / "opendata"
    present = sorted(p.name for p in folder.glob("*.csv"))
    assert set(present) <= set(FILES), f"new files to classify: {set(present) - set(FILES)}"
    for name in FILES:
        if not (folder / name).exists():
            continue
        kind, rows = FILES[name]
        first = import_path(session, kind, str(folder / name))
        assert first.ok, first.format()
        assert (first.imported, first.skipped, first.retired) == (rows, 0, 0), first.format()
        again = import_path(session, kind, str(folder / name))
        assert (again.imported, again.updated, again.retired, again.unchanged) == (0, 0, 0, rows), again.format()
    session.commit()
    assert session.exec(select(func.count()).select_from(Facility)).one() == 248
    linked = session.exec(select(func.count()).select_from(Event).where(Event.facility_id != None)).one()  # noqa: E711
    assert linked >= 7  # Yaizu's events name its 地域交流センター, 庁舎 and museums


@pytest.mark.parametrize("name, kind", [("komae-events-2018-2020.csv", "facilities"), ("yaizu-public-facilities.csv", "events")])
def test_a_real_file_given_as_the_wrong_kind_is_refused(session, shared_dir, name, kind):
    path = shared_dir / "opendata" / name
    if not path.exists():
        pytest.skip(f"{name} is not present")
    report = import_path(session, kind, str(path))
    assert report.refused
