"""Golden exports of the bundled dataset: every view x format, at widths 80 and 120,
as of 2024-11-26 (before the offensive) and 2024-12-05 (Hama falls).

The files in ``tests/golden/export/`` are the expected bytes. After a deliberate
change (to a renderer, the export, or the bundled data) regenerate them with::

    SITMON_UPDATE_GOLDEN=1 python -m pytest tests/unit/test_export_golden.py

and read the diff before committing it. The content checks below say what the
files must show whatever their exact bytes: who holds Aleppo and Hama on each
date, and that sources are cited.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from sitmon.store import Store
from sitmon.store.timeutil import parse_as_of
from sitmon.widgets.export import export_view

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "export"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sitrep-2024-12-05.md"
UPDATE = os.environ.get("SITMON_UPDATE_GOLDEN") == "1"
VIEWS = ("timeline", "map", "quotes", "stats", "all")
FORMATS = {"text": "txt", "markdown": "md", "json": "json"}
WIDTHS = (80, 120)
DAYS = ("2024-11-26", "2024-12-05")

CASES = [
    (view, fmt, width, day, False)
    for view in VIEWS
    for fmt in FORMATS
    for width in WIDTHS
    for day in DAYS
] + [("all", fmt, 80, day, True) for fmt in ("text", "markdown") for day in DAYS]


def name_of(view: str, fmt: str, width: int, day: str, ascii: bool) -> str:
    return f"{view}-{fmt}-{width}{'-ascii' if ascii else ''}-{day}.{FORMATS[fmt]}"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    return Store.open(tmp_path_factory.mktemp("golden") / "s.json")


def export(store: Store, view: str, fmt: str, width: int, day: str, ascii: bool) -> str:
    return export_view(store, view=view, fmt=fmt, width=width, as_of=parse_as_of(day), ascii=ascii)


@pytest.mark.parametrize(
    ("view", "fmt", "width", "day", "ascii"),
    CASES,
    ids=[name_of(*c) for c in CASES],
)
def test_golden(store, view, fmt, width, day, ascii):
    path = GOLDEN / name_of(view, fmt, width, day, ascii)
    got = export(store, view, fmt, width, day, ascii)
    if UPDATE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_bytes(got.encode("utf-8"))
    assert path.exists(), f"missing golden file {path.name}: run with SITMON_UPDATE_GOLDEN=1"
    want = path.read_bytes().decode("utf-8")
    assert got == want, (
        f"{path.name} differs from the export; if the change is intended, regenerate with "
        "SITMON_UPDATE_GOLDEN=1 and review the diff"
    )


@pytest.mark.parametrize("day", DAYS)
def test_golden_feed(store, day):
    path = GOLDEN / f"feed-{day}.json"
    got = export_view(store, view="all", fmt="feed", as_of=parse_as_of(day))
    if UPDATE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_bytes(got.encode("utf-8"))
    assert path.read_bytes().decode("utf-8") == got


def test_no_stray_golden_files():
    expected = {name_of(*c) for c in CASES} | {f"feed-{d}.json" for d in DAYS}
    assert {p.name for p in GOLDEN.iterdir()} == expected


# --------------------------------------------------------------------------- what they must show


def read(view: str, fmt: str, width: int, day: str, ascii: bool = False) -> str:
    return (GOLDEN / name_of(view, fmt, width, day, ascii)).read_text(encoding="utf-8")


def holders(day: str) -> dict[str, str]:
    doc = json.loads(read("map", "json", 80, day))
    return {c["place"]: c["faction"] for c in doc["control"]}


def test_aleppo_and_hama_change_hands_between_the_two_dates():
    before, after = holders("2024-11-26"), holders("2024-12-05")
    assert before["aleppo"] == before["hama"] == "government"
    assert after["aleppo"] == after["hama"] == "hts_led"
    assert before["homs"] == after["homs"] == before["damascus"] == after["damascus"]
    assert (before["tal_rifaat"], after["tal_rifaat"]) == ("sdf", "sna")


def test_the_maps_show_the_change():
    def marker(text: str, name: str) -> str:
        for line in text.splitlines():
            m = re.search(r"([A-Z?])[~#]? " + name + r"\b", line)
            if m:
                return m.group(1)
        raise AssertionError(f"{name} not labelled on the map")

    for width in WIDTHS:
        early = read("map", "text", width, "2024-11-26")
        late = read("map", "text", width, "2024-12-05")
        assert marker(early, "Aleppo") == marker(early, "Hama") == "G"
        assert marker(late, "Aleppo") == marker(late, "Hama") == "H"
        assert "as of 2024-11-26" in early and "as of 2024-12-05" in late


def test_the_reports_say_what_changed_and_cite_sources():
    md = read("all", "markdown", 80, "2024-12-05")
    assert (
        "Since 27 Nov: Aleppo (30 Nov), Maarat al-Numan (30 Nov), Saraqib (30 Nov) and "
        "Hama (5 Dec) passed from Government to HTS-led MOC; Tal Rifaat (2 Dec) passed "
        "from SDF to SNA." in md
    )
    assert md.count("](https://") > 20 and "\n## Sources\n" in md
    text = read("all", "text", 120, "2024-12-05")
    assert "Aleppo: Government → contested by HTS-led MOC (29 Nov) → HTS-led MOC (30 Nov)" in text
    assert "Hama: Government → contested by HTS-led MOC (3 Dec) → HTS-led MOC (5 Dec)" in text
    early = read("all", "markdown", 80, "2024-11-26")
    assert "No change of control yet" in early and "passed from" not in early
    for fmt in ("text", "markdown"):
        for view in ("timeline", "map", "quotes", "stats"):
            late = read(view, fmt, 80, "2024-12-05")
            assert "Sources" in late and "https://" in late, (view, fmt)
    for view in VIEWS:
        doc = json.loads(read(view, "json", 80, "2024-12-05"))
        assert doc["sources"] and all("name" in s for s in doc["sources"])


def test_two_widths_of_json_are_the_same_records():
    for view in VIEWS:
        for day in DAYS:
            assert read(view, "json", 80, day) == read(view, "json", 120, day)


def test_the_readme_example_is_the_current_report():
    """examples/sitrep-2024-12-05.md is `sitmon export --view all --format markdown
    --as-of 2024-12-05` of the bundled data (regenerated with the golden files)."""
    want = read("all", "markdown", 80, "2024-12-05")
    if UPDATE:
        EXAMPLE.write_text(want, encoding="utf-8")
    assert EXAMPLE.read_text(encoding="utf-8") == want
