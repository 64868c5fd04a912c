"""The search index behind text filters (store/search.py, issue 13): the same
results as the substring scan it replaces, typed letter by letter, after merges
that add, change and delete events, and at every position of the time order."""

from __future__ import annotations

import msgspec
import pytest
from sitmon.store import Store
from sitmon.store.eventview import EventView, NewestFirst, Selection, bits_of
from sitmon.store.records import Tombstone
from sitmon.store.search import SearchPending

from tests.support import factories as f

FIVE = [
    f.event(
        1, title="Shelling of the bridge", places=("aleppo",), factions=("gov",), type="strike"
    ),
    f.event(2, title="Clash near the prison", places=("hama",), factions=("reb",)),
    f.event(3, title="Shells hit the market", places=("homs",), factions=("gov",), type="strike"),
    f.event(4, title="Convoy ambushed", places=("raqqa",), factions=("kur",)),
    f.event(
        5,
        title="Prisoners freed after the shelling",
        places=("hama",),
        factions=("reb",),
        type="capture",
    ),
]


@pytest.fixture
def five(tmp_path):
    s = Store.open(tmp_path / "s.json", seed=False)
    s.merge(f.base_world() + FIVE)
    s.build_search_index()
    return s


def ids(events) -> list[str]:
    return [e.id for e in events]


def test_a_word_typed_letter_by_letter_narrows(five):
    typed = {
        "s": ["ev-1", "ev-2", "ev-3", "ev-4", "ev-5"],  # "summary" in every text
        "sh": ["ev-1", "ev-2", "ev-3", "ev-4", "ev-5"],  # clash, ambushed
        "she": ["ev-1", "ev-3", "ev-4", "ev-5"],  # ambushed, not clash
        "shel": ["ev-1", "ev-3", "ev-5"],
        "shell": ["ev-1", "ev-3", "ev-5"],
        "shelli": ["ev-1", "ev-5"],
        "shelling": ["ev-1", "ev-5"],
        "shelling ": ["ev-1", "ev-5"],
        "shelling b": ["ev-1", "ev-5"],  # bridge; "reb", the faction's short name
        "shelling br": ["ev-1"],
        "shelling bro": [],
    }
    for text, expected in typed.items():
        assert ids(five.events(filter=text)) == expected, text


def test_words_inside_words_names_phrases_and_prefix_terms(five):
    assert ids(five.events(filter="ell")) == ["ev-1", "ev-3", "ev-5"]  # mid-word substring
    assert ids(five.events(filter="hama")) == ["ev-2", "ev-5"]  # a place's name
    assert ids(five.events(filter="monitor")) == ["ev-1", "ev-2", "ev-3", "ev-4", "ev-5"]
    assert ids(five.events(filter='"the shelling"')) == ["ev-5"]
    assert ids(five.events(filter='"shelling of"')) == ["ev-1"]
    assert ids(five.events(filter='"bridge summary"')) == []  # lines are not joined by a space
    assert ids(five.events(filter="type:str")) == ["ev-1", "ev-3"]
    assert ids(five.events(filter="place:hama type:capture")) == ["ev-5"]
    assert ids(five.events(filter="faction:gov shells")) == ["ev-3"]
    assert ids(five.events(filter="prison", place="hama")) == ["ev-2", "ev-5"]
    assert ids(five.events(filter="nowhere-at-all")) == []


def test_time_cut_and_filter_together(five):
    as_of = f.T0.replace(minute=3)  # ev-1 .. ev-3
    assert ids(five.events(as_of=as_of, filter="shel")) == ["ev-1", "ev-3"]
    assert ids(five.events(since=f.T0.replace(minute=2), filter="shel")) == ["ev-3", "ev-5"]
    assert ids(five.events(as_of=as_of)) == ["ev-1", "ev-2", "ev-3"]


def test_a_merged_event_is_found_and_a_deleted_one_is_not(five):
    s = five
    later = f.event(9, title="Convoy reaches the bridge", places=("raqqa",), minutes=50)
    earlier = f.event(8, title="Checkpoint overrun", places=("homs",), minutes=0)  # before ev-1
    s.merge([later, earlier])
    assert s._search is not None  # kept up to date, not dropped
    assert ids(s.events(filter="convoy")) == ["ev-4", "ev-9"]
    assert ids(s.events(filter="reaches")) == ["ev-9"]
    assert ids(s.events(filter="checkpoint")) == ["ev-8"]
    assert ids(s.events(filter="place:homs")) == ["ev-8", "ev-3"]
    gone = Tombstone(id="ev-3", kind="event", updated_at=f.STAMP, sources=f.REF)
    retitled = msgspec.structs.replace(FIVE[0], title="Mortars on the bridge")
    s.merge([gone, retitled])
    assert ids(s.events(filter="shel")) == ["ev-5"]
    assert ids(s.events(filter="mortars")) == ["ev-1"]
    assert ids(s.events(filter="place:homs")) == ["ev-8"]
    assert ids(s.events(filter="bridge")) == ["ev-1", "ev-9"]


def test_a_renamed_place_is_searched_by_its_new_name(five):
    five.merge([f.place("hama", 35.13, 36.76, "Hamah City")])
    assert ids(five.events(filter="hamah")) == ["ev-2", "ev-5"]


def test_same_results_as_a_scan_at_every_size_of_posting(tmp_path):
    # 3000 events: common tokens (bitmaps), rare ones (postings) and unique ones ("#17")
    s = Store.open(tmp_path / "s.json", seed=False)
    s.merge(f.base_world() + f.synthetic_events(3000, seed=3))
    texts = {e.id: _text(e) for e in s.events()}
    s.build_search_index()
    for typed in ("p", "pr", "pri", "priso", "prison", "prison #1", "prison #12", "#2999"):
        words = typed.split()
        expected = [i for i, t in texts.items() if all(w in t for w in words)]
        assert ids(s.events(filter=typed)) == expected, typed
    # literal counts, as the scan gave them before the index
    assert len(s.events(filter="bridge")) == 1046
    assert len(s.events(filter="bridge place:hama faction:kur")) == 90
    assert len(s.events(filter="#29")) == 111  # #29, #290.., #2900..


def _text(e) -> str:
    names = {"aleppo": "Aleppo", "hama": "Hama", "homs": "Homs", "raqqa": "Raqqa"}
    parts = [e.title, e.summary, e.type, *e.actors, *(names[p] for p in e.places)]
    return "\n".join([*parts, *e.factions, "Test Monitor"]).lower()


def test_views_index_like_lists():
    events = [f.event(i) for i in range(10)]
    sel = Selection(bits_of([1, 4, 9, 5000]))
    assert list(sel) == [1, 4, 9, 5000] and len(sel) == 4
    assert sel[2] == 9 and sel[-1] == 5000 and sel.rank(5000) == 3 and sel.rank(3) is None
    view = EventView(events, 0, 10, Selection(bits_of([1, 4, 9])))
    assert view == [events[1], events[4], events[9]]
    assert view[-1] is events[9] and view[0:2] == [events[1], events[4]]
    assert list(reversed(view)) == [events[9], events[4], events[1]]
    assert view.rank(events[4]) == 1 and view.rank(events[5]) is None
    ranged = EventView(events, 2, 5)
    assert ranged == events[2:5] and ranged.rank(events[4]) == 2 and ranged.rank(events[5]) is None
    rows = NewestFirst(ranged)
    assert rows == [events[4], events[3], events[2]] and rows[0] is events[4]
    assert rows.rank(events[2]) == 2 and not NewestFirst(EventView(events, 3, 3))


def test_corroboration_with_the_index_equals_it_without(tmp_path):
    from sitmon.widgets.timeline_render import timeline_rows

    s = Store.open(tmp_path / "s.json", seed=False)
    s.merge(
        f.base_world()
        + [
            f.report("ev-a0", 0, 10, "Army shells the northern bridge"),
            f.report("nw-b0", 0, 11, "Northern bridge shelled by the army"),
            f.report("ev-c0", 0, 12, "Convoy reaches the market"),
            f.report("ev-a1", 1, 10, "Army shells the northern bridge again"),
            f.report("nw-b1", 1, 9, "Shells hit the northern bridge, army says"),
            f.report("nw-d1", 1, 13, "Market reopens"),
        ]
    )
    expected = {
        "ev-a0": ("ev-a0", "nw-b0"),
        "nw-b0": ("ev-a0", "nw-b0"),
        "nw-b1": ("nw-b1", "ev-a1"),
        "ev-a1": ("nw-b1", "ev-a1"),
    }
    assert dict(s.snapshot().groups) == expected  # per day, without the index
    s.build_search_index()
    assert s.snapshot().groups == expected
    rows = timeline_rows(s.snapshot())
    assert ids(rows) == ["nw-d1", "nw-b1", "ev-c0", "ev-a0"]
    assert rows.rank(s.tables["event"]["ev-c0"]) == 2
    assert rows.rank(s.tables["event"]["ev-a1"]) is None  # a follower has no row
    assert s.snapshot(filter="army").groups == expected
    assert s.snapshot(filter="again").groups == {}  # alone among the filtered events
    assert s.snapshot(as_of=f.T0.replace(hour=23)).groups == {
        "ev-a0": ("ev-a0", "nw-b0"),
        "nw-b0": ("ev-a0", "nw-b0"),
    }
    # a merged report joins its day's group; the index follows
    s.merge([f.report("zz-e1", 1, 14, "The army shells the northern bridge")])
    assert s._search is not None
    assert s.snapshot().groups["ev-a1"] == ("nw-b1", "ev-a1", "zz-e1")
    assert ids(timeline_rows(s.snapshot())) == ["nw-d1", "nw-b1", "ev-c0", "ev-a0"]


def test_words_before_the_index_is_built_wait_skip_or_build_as_asked(tmp_path):
    s = Store.open(tmp_path / "s.json", seed=False)
    s.merge(f.base_world() + FIVE)
    assert not s.search_ready  # a merge into a store without an index builds none
    with pytest.raises(SearchPending):
        s.events(filter="shelling", index="ready")
    with pytest.raises(SearchPending):
        s.snapshot(filter="prison", index="ready")
    assert not s.search_ready  # neither built it
    # skipped: the words do not narrow; the other terms still do
    assert ids(s.events(filter="shelling", index="skip")) == [
        "ev-1",
        "ev-2",
        "ev-3",
        "ev-4",
        "ev-5",
    ]
    assert ids(s.events(filter="shelling type:strike", index="skip")) == ["ev-1", "ev-3"]
    assert not s.search_ready
    with pytest.raises(ValueError, match="index must be one of build, ready, skip, not 'later'"):
        s.events(filter="shelling", index="later")
    assert ids(s.events(filter="shelling")) == ["ev-1", "ev-5"]  # built here (the default)
    assert s.search_ready
    assert ids(s.events(filter="shelling", index="ready")) == ["ev-1", "ev-5"]


def test_the_vocabulary_sorted_in_runs_is_sorted_whole():
    from sitmon.store.search import sorted_in_runs

    words = ["shelling", "bridge", "#12", "army", "convoy", "#3", "ḥamā", "Army", "bridge"]
    expected = ["#12", "#3", "Army", "army", "bridge", "bridge", "convoy", "shelling", "ḥamā"]
    for run in (1, 2, 3, 4, 8, 100):  # odd and even numbers of runs, one run, one each
        assert sorted_in_runs(words, run) == expected, run
    assert sorted_in_runs([], 3) == []
