"""The simulator's location presets are the city's own: its center and a few of its facilities."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from content.demo_city import seed_demo_city
from content.locations import location_presets
from content.search.ranking import haversine_m

DEMO_CENTER = (35.9012, 139.4856)


def test_presets_are_the_city_center_and_facilities_near_it(session):
    seed_demo_city(session, date(2026, 11, 26))
    presets = location_presets(session)
    assert presets[0]["title"] == "市の中心" and len(presets) == 5
    assert all(haversine_m(*DEMO_CENTER, p["latitude"], p["longitude"]) < 10_000 for p in presets)
    assert all("みどり" in p["title"] or "地区" in p["title"] for p in presets[1:])


def test_a_city_without_facilities_offers_no_presets_rather_than_somewhere_else(session):
    assert location_presets(session) == []


def test_the_app_gives_the_simulator_its_citys_places(config, engine, session, recording_messenger):
    from bot.app import create_app

    seed_demo_city(session, date(2026, 11, 26))
    session.commit()
    app = create_app(replace(config).with_emulator("http://127.0.0.1:8000"), engine=engine,
                     messenger=recording_messenger, start_workers=False)
    presets = app.test_client().get("/emulator/places").get_json()["presets"]
    assert presets[0]["title"] == "市の中心"
    assert haversine_m(*DEMO_CENTER, presets[0]["latitude"], presets[0]["longitude"]) < 5_000
