"""「近くの施設」 lists facilities nearest first by their real distance, also when they are far and close together."""
from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from content.demo_city import seed_demo_city
from content.search.answers import answer_question
from content.search.index import clear_cache
from content.search.ranking import haversine_m
from models import Facility, Resident
from tests.search_support import NOW


@pytest.mark.parametrize("where", [(35.9012, 139.4856), (39.3114, 140.5536)])  # in town; ~390 km away
def test_nearby_facilities_are_in_order_of_distance(session, where):
    clear_cache()
    seed_demo_city(session, date(2026, 11, 26))
    session.commit()
    resident = Resident(line_user_id="U" + "4" * 32, last_location_lat=where[0], last_location_lon=where[1])
    answer = answer_question(session, "近くの施設", now=NOW, lang="ja", resident=resident)
    places = {f.id: f for f in session.exec(select(Facility)).all()}
    distances = [haversine_m(*where, places[i["id"]].latitude, places[i["id"]].longitude)
                 for i in answer.items if i["kind"] == "facility"]
    assert len(distances) >= 5
    assert distances == sorted(distances)
