"""Situations end to end through the command line: a Sudan situation created,
fed, drawn and exported in its own zone; bad arguments; switching back to the
bundled Syria situation with its exports unchanged.

Goldens in ``tests/golden/situations/``; after a deliberate change::

    SITMON_UPDATE_GOLDEN=1 python -m pytest tests/e2e/test_situations.py

and read the diff. Every test runs in its own SITMON_HOME (tests/conftest.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sitmon.tui.cli import main

ROOT = Path(__file__).resolve().parents[2]
SUDAN = ROOT / "examples" / "sudan"
ADMIN1 = SUDAN / "sudan-admin1-ne10m.geojson"
FEED = SUDAN / "sudan-2023.sitmon.json"
GOLDEN = ROOT / "tests" / "golden" / "situations"
SYRIA_GOLDEN = ROOT / "tests" / "golden" / "export"
UPDATE = os.environ.get("SITMON_UPDATE_GOLDEN") == "1"
SYRIAN_PLACES = ("Aleppo", "Damascus", "Hama", "Homs", "Idlib", "Latakia", "Raqqa", "Daraa")

NEW_SUDAN = [
    "situation",
    "new",
    "sudan",
    "--country",
    "SDN",
    "--admin1",
    str(ADMIN1),
    "--tz",
    "Africa/Khartoum",
    "--start",
    "2023-04-15",
    "--title",
    "War in Sudan",
]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden {name}: run with SITMON_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs (see module docstring)"


@pytest.fixture
def sudan(capsys) -> Path:
    rc, out, err = run(capsys, *NEW_SUDAN)
    assert (rc, err) == (0, "")
    home = Path(os.environ["SITMON_HOME"])
    assert f"store:  {home / 'situations' / 'sudan' / 'store.json'}" in out
    rc, out, err = run(capsys, "--situation", "sudan", "import", str(FEED))
    assert rc == 0, err
    assert "19 added" in out and "0 rejected" in out
    return home


def test_done_when_sudan_map_draws_sudan_with_its_cities_and_no_syria(sudan, capsys):
    rc, out, err = run(capsys, "--situation", "sudan", "export", "--view", "map", "--ascii")
    assert (rc, err) == (0, "")
    assert out.startswith("War in Sudan | Map of control\n")
    assert "As of 26 October 2025, end of day (Africa/Khartoum, UTC+02) | 3 places" in out
    for name in ("Khartoum", "El Fasher", "Omdurman", "Egypt", "Chad", "Ethiopia", "Eritrea"):
        assert name in out
    for name in (*SYRIAN_PLACES, "Turkey", "Lebanon", "Mediterranean", "OCHA"):
        assert name not in out
    assert "S SAF 2" in out and "R RSF 1" in out  # Khartoum, Omdurman SAF; El Fasher RSF
    assert "Geo: Natural Earth" in out


@pytest.mark.parametrize(
    ("size", "charset"), [((80, 24), "ascii"), ((120, 40), "braille")], ids=["80x24", "120x40"]
)
def test_sudan_map_goldens(sudan, capsys, size, charset):
    w, h = size
    args = ["--situation", "sudan", "export", "--view", "map", "--width", str(w)]
    args += ["--height", str(h), "--as-of", "2024-05-10"]
    if charset == "ascii":
        args.append("--ascii")
    rc, out, err = run(capsys, *args)
    assert (rc, err) == (0, "")
    # on 10 May 2024 El Fasher is besieged, Khartoum contested by the RSF
    assert "As of 10 May 2024, end of day (Africa/Khartoum, UTC+02)" in out
    map_rows = out.split("\n")[3 : 3 + h]  # (trailing blanks are trimmed in text exports)
    assert all(0 < len(row) <= w for row in map_rows) and out.split("\n")[3 + h] == ""
    assert "S# El Fasher" in out and "R~" in out
    check_golden(f"sudan-map-{w}x{h}-{charset}-2024-05-10.txt", out)


def test_day_boundaries_are_khartoum_days(sudan, capsys):
    """23:30 at UTC+02 on 15 April is 15 April in Khartoum (16 April at UTC+03)."""
    rc, out, err = run(
        capsys,
        "--situation",
        "sudan",
        "export",
        "--view",
        "timeline",
        "--as-of",
        "2023-04-15",
        "--ascii",
    )
    assert (rc, err) == (0, "")
    assert "As of 15 April 2023, end of day (Africa/Khartoum, UTC+02) | 2 events" in out
    assert "2023-04-15 23:30" in out and "Clashes go on into the night" in out
    assert "Omdurman" not in out  # 16 April: after the as-of day
    rc, out, _ = run(
        capsys, "--situation", "sudan", "export", "--view", "timeline", "--as-of", "2023-04-16"
    )
    assert "\u00b7 3 events" in out and "2023-04-16" in out


def test_sudan_report_and_feed_export(sudan, capsys, tmp_path):
    rc, out, err = run(
        capsys, "--situation", "sudan", "export", "--view", "all", "--format", "markdown"
    )
    assert (rc, err) == (0, "")
    assert out.startswith("# Situation report: War in Sudan\n")
    assert "El Fasher" in out and "Aleppo" not in out
    feed = tmp_path / "sudan-feed.json"
    rc, _, err = run(
        capsys,
        "--situation",
        "sudan",
        "export",
        "--view",
        "all",
        "--format",
        "feed",
        "--output",
        str(feed),
    )
    assert (rc, err) == (0, "")
    text = feed.read_text(encoding="utf-8")
    assert '"khartoum"' in text and '"aleppo"' not in text


def test_switching_back_to_syria_keeps_its_exports_byte_identical(
    sudan, capsys, monkeypatch, tmp_path
):
    monkeypatch.setenv("SITMON_STORE", str(tmp_path / "syria.json"))
    rc, _, _ = run(capsys, "situation", "use", "sudan")
    assert rc == 0
    rc, out, _ = run(capsys, "export", "--view", "map", "--ascii")  # the current one: Sudan
    assert "Khartoum" in out and "El Fasher" in out and "| 3 places" in out  # not $SITMON_STORE
    rc, out, _ = run(capsys, "situation", "use", "syria")
    assert rc == 0
    for name in (
        "map-text-80-2024-12-05.txt",
        "timeline-text-80-2024-11-26.txt",
        "all-markdown-120-2024-12-05.md",
    ):
        view, fmt, width, *_ = name.split("-")
        rc, out, err = run(
            capsys,
            "export",
            "--view",
            view,
            "--format",
            fmt,
            "--width",
            width,
            "--as-of",
            name.rsplit("-", 3)[-3]
            + "-"
            + name.rsplit("-", 3)[-2]
            + "-"
            + name.rsplit("-", 3)[-1].split(".")[0],
        )
        assert (rc, err) == (0, "")
        assert out == (SYRIA_GOLDEN / name).read_text(encoding="utf-8"), name


def test_situation_list_use_remove(sudan, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("SITMON_STORE", str(tmp_path / "syria.json"))
    rc, out, _ = run(capsys, "situation", "list")
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "TITLE", "RECORDS", "LAST", "REFRESH", "ZONE"]
    assert lines[1].split() == ["*", "syria", "Syria", "2024", "-", "-", "UTC+03:00"]
    assert lines[2].split()[:4] == ["sudan", "War", "in", "Sudan"]
    assert lines[2].split()[4:] == ["18", "never", "Africa/Khartoum"]
    monkeypatch.setenv("SITMON_SITUATION", "sudan")
    rc, out, _ = run(capsys, "situation", "list")
    assert out.splitlines()[2].startswith("*  sudan")
    monkeypatch.delenv("SITMON_SITUATION")
    # remove asks; without a terminal and without --yes nothing is removed
    rc, out, err = run(capsys, "situation", "remove", "sudan")
    assert rc == 2 and "add --yes" in err
    assert (sudan / "situations" / "sudan" / "store.json").exists()
    rc, out, err = run(capsys, "situation", "remove", "syria", "--yes")
    assert rc == 2 and "cannot be removed" in err
    rc, out, err = run(capsys, "situation", "remove", "sudan", "--yes")
    assert rc == 0 and not (sudan / "situations" / "sudan").exists()
    rc, out, err = run(capsys, "--situation", "sudan", "info")
    assert rc == 2 and err == "sitmon: no situation called 'sudan' (known: syria)\n"


def test_a_new_situation_is_never_seeded_with_syria(capsys):
    rc, _, _ = run(capsys, "situation", "new", "yemen", "--country", "YEM")
    assert rc == 0
    rc, out, _ = run(capsys, "--situation", "yemen", "info")
    assert "  places      0" in out and "  events      0" in out
    rc, out, _ = run(capsys, "--situation", "yemen", "export", "--view", "map", "--ascii")
    assert "Saudi Arabia" in out or "Oman" in out
    assert not any(name in out for name in SYRIAN_PLACES)
    # a store file that went missing, or holds `{}`, comes back empty: no Syria, no quarantine
    store = Path(os.environ["SITMON_HOME"]) / "situations" / "yemen" / "store.json"
    for content in (None, "{}"):
        if content is None:
            store.unlink()
        else:
            store.write_text(content)
        rc, out, err = run(capsys, "--situation", "yemen", "info")
        assert (rc, err) == (0, "")
        assert "  places      0" in out and "  events      0" in out
    assert sorted(p.name for p in store.parent.iterdir()) == [
        "situation.json",
        "store.json",
        "store.json.lock",
    ]


def test_two_country_situation(capsys):
    rc, out, err = run(
        capsys,
        "situation",
        "new",
        "sudans",
        "--country",
        "SDN",
        "--country",
        "ssd",
        "--tz",
        "Africa/Juba",
    )
    assert (rc, err) == (0, "")
    assert "created situation 'sudans': Sudan, S. Sudan (SDN, SSD, Africa/Juba)" in out
    rc, out, _ = run(capsys, "--situation", "sudans", "import", str(FEED))
    rc, out, _ = run(capsys, "--situation", "sudans", "export", "--view", "map", "--ascii")
    assert "Khartoum" in out and "El Fasher" in out
    assert "Uganda" in out or "Kenya" in out or "Uga." in out  # the south's neighbours show


BAD = [
    (["--country", "SDX"], "unknown country code 'SDX'"),
    (["--country", "SD"], "unknown country code 'SD' (an ISO 3166-1 alpha-3 code has three"),
    (["--country", "sudan"], "unknown country code 'sudan' (did you mean SDN?)"),
    (["--country", "SDN", "--tz", "Mars/Olympus"], "--tz: unknown time zone 'Mars/Olympus'"),
    (["--country", "SDN", "--start", "15/04/2023"], "--start: not a date '15/04/2023'"),
    (["--country", "SDN", "--admin1", "missing.geojson"], "--admin1: cannot read missing.geojson"),
    (["--country", "SDN", "--admin1", "{notjson"], "--admin1: bad.geojson is not JSON"),
    (["--country", "SDN", "--admin1", "POINTS"], "is a Point, not a Polygon or MultiPolygon"),
    (["--country", "SDN", "--admin1", "OUTSIDE"], "latitude 95 is outside -90..90"),
    (["--country", "SDN", "--factions", "BADTOML"], "factions entry 1: 'colour' must be like"),
]


@pytest.mark.parametrize(("extra", "message"), BAD, ids=[m[:30] for _, m in BAD])
def test_bad_arguments_for_situation_new(capsys, tmp_path, monkeypatch, extra, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.geojson").write_text("{notjson")
    (tmp_path / "points.geojson").write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"A"},'
        '"geometry":{"type":"Point","coordinates":[30,15]}}]}'
    )
    (tmp_path / "outside.geojson").write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"A"},'
        '"geometry":{"type":"Polygon","coordinates":[[[30,15],[31,95],[31,15],[30,15]]]}}]}'
    )
    (tmp_path / "factions.toml").write_text(
        '[[factions]]\nid = "saf"\nname = "SAF"\ncolour = "blue"\n'
    )
    subst = {
        "{notjson": "bad.geojson",
        "POINTS": "points.geojson",
        "OUTSIDE": "outside.geojson",
        "BADTOML": "factions.toml",
    }
    extra = [subst.get(a, a) for a in extra]
    rc, out, err = run(capsys, "situation", "new", "x", *extra)
    assert rc == 2
    assert out == ""
    assert err.startswith("sitmon: ") and err.count("\n") == 1 and message in err, err
    home = Path(os.environ["SITMON_HOME"])
    assert not (home / "situations" / "x").exists()
    assert (
        [p.name for p in (home / "situations").glob("*")] == []
        if (home / "situations").exists()
        else True
    )


def test_a_bad_name_and_a_taken_name(sudan, capsys):
    rc, _, err = run(capsys, "situation", "new", "War in Sudan", "--country", "SDN")
    assert rc == 2 and "bad situation name 'War in Sudan'" in err
    rc, _, err = run(capsys, "situation", "new", "sudan", "--country", "SDN")
    assert rc == 2 and "a situation called 'sudan' already exists" in err
    rc, _, err = run(capsys, "situation", "new", "syria", "--country", "SYR")
    assert rc == 2 and "'syria' is the bundled situation" in err


def _acled_row(n: int, actor1: str, actor2: str, sub: str, location: str, lat: str, lon: str):
    return {
        "event_id_cnty": f"SYNTHSDN{n}",
        "event_date": f"2023-04-{14 + n:02d}",
        "year": "2023",
        "time_precision": "1",
        "disorder_type": "Political violence",
        "event_type": "Battles",
        "sub_event_type": sub,
        "actor1": actor1,
        "assoc_actor_1": "",
        "inter1": "2",
        "actor2": actor2,
        "assoc_actor_2": "",
        "inter2": "1",
        "interaction": "12",
        "country": "Sudan",
        "admin1": "Example State",
        "admin2": "",
        "admin3": "",
        "location": location,
        "latitude": lat,
        "longitude": lon,
        "geo_precision": "1",
        "source": "Synthetic Observer",
        "source_scale": "National",
        "notes": "Synthetic example row (ACLED's terms forbid redistributing real rows).",
        "fatalities": "3",
        "timestamp": "1700000000",
        "iso": "729",
        "iso3": "SDN",
    }


def test_factions_are_made_from_acled_actor_names_in_a_new_situation(capsys, tmp_path):
    """A situation with no factions: ACLED's actors become factions with stable
    looks, so the control change of 'overtakes territory' is kept, not refused."""
    import json

    doc = {
        "status": 200,
        "success": True,
        "data": [
            _acled_row(
                1,
                "Rapid Support Forces",
                "Military Forces of Sudan (2019-)",
                "Armed clash",
                "Synthtown",
                "15.5",
                "32.5",
            ),
            _acled_row(
                2,
                "Rapid Support Forces",
                "Civilians (Sudan)",
                "Non-state actor overtakes territory",
                "Examplebad",
                "13.6",
                "25.3",
            ),
        ],
    }
    path = tmp_path / "sudan.acled.json"
    path.write_text(json.dumps(doc))
    assert run(capsys, "situation", "new", "sudan", "--country", "SDN")[0] == 0
    rc, out, err = run(capsys, "--situation", "sudan", "import", str(path))
    assert (rc, err) == (0, ""), err
    assert "0 rejected" in out
    from sitmon.store import Store
    from sitmon.store.situations import get_situation

    store = Store.open(get_situation("sudan").store_path, seed=False)
    looks = {f.id: (f.name, f.short, f.symbol, f.colour) for f in store.factions.values()}
    assert looks == {
        "actor-rapid_support_forces": (
            "Rapid Support Forces",
            "Rapid Support Forces",
            "R",
            "#c69026",
        ),
        "actor-military_forces_of_sudan_2019": (
            "Military Forces of Sudan (2019-)",
            "Military Forces of Sudan",
            "M",
            "#57ab5a",
        ),
    }
    assert [c.faction for c in store.tables["control"].values()] == ["actor-rapid_support_forces"]
    rc, out, _ = run(capsys, "--situation", "sudan", "export", "--view", "map", "--ascii")
    assert "R Rapid Support" in out  # the legend names it
