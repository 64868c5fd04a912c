"""One rule for the as-of range and filter values, shared by the monitor and the CLI."""

from __future__ import annotations

from datetime import date

import pytest
from sitmon.store import Store
from sitmon.store.argcheck import as_of_problem, as_of_range, filter_problems
from sitmon.store.query import parse_filter


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return Store.open(tmp_path_factory.mktemp("a") / "s.json", seed=True)


def test_the_range_runs_from_the_day_before_the_start_to_the_latest_day(store):
    assert as_of_range(store) == (date(2024, 11, 26), date(2024, 12, 5))
    assert as_of_problem(date(2024, 11, 26), store) is None
    assert as_of_problem(date(2024, 12, 5), store) is None


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (
            date(2030, 1, 1),
            "2030-01-01 is after the data: choose a day from 2024-11-26 to 2024-12-05",
        ),
        (
            date(1900, 1, 1),
            "1900-01-01 is before the data: choose a day from 2024-11-26 to 2024-12-05",
        ),
        (
            date(2024, 11, 25),
            "2024-11-25 is before the data: choose a day from 2024-11-26 to 2024-12-05",
        ),
    ],
)
def test_days_outside_the_data_are_refused_stating_the_range(store, day, message):
    assert as_of_problem(day, store) == message


def test_unknown_filter_values_list_the_valid_ones(store):
    assert filter_problems(parse_filter("type:cap faction:hts place:hama words"), store) == []
    assert filter_problems(parse_filter("type:bogus"), store) == [
        "unknown type 'bogus': use one of offensive, capture, withdrawal, battle, strike, "
        "statement, humanitarian, diplomatic, violence_against_civilians, protest, other"
    ]
    problems = filter_problems(parse_filter("faction:nobody place:Narnia"), store)
    assert problems[0].startswith("unknown faction 'nobody': use one of government (Government), ")
    assert "hts_led (HTS-led MOC)" in problems[0]
    assert problems[1] == "unknown place 'narnia' (try a name like Aleppo or Hama)"
