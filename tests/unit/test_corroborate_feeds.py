"""Which feed a report came from, worked out for a whole history at once: a report citing
a ``feed-...`` Source is that feed's, any other report is its id's namespace's
(``acled-7`` is ACLED's). Histories mix both kinds, and a snapshot's groups must be the
same whether a renderer asks day by day or an export asks for every day at once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sitmon.store.corroborate import DayGroups, corroboration_groups
from sitmon.store.records import Event, SourceRef
from sitmon.store.timeutil import SITUATION_TZ

T0 = datetime(2024, 11, 27, 8, 0, tzinfo=SITUATION_TZ)
TITLE = "Rebels reach the outskirts of Homs"


def _report(rid: str, day: int, minute: int, source: str = "sohr", title: str = TITLE) -> Event:
    return Event(
        id=rid,
        time=T0 + timedelta(days=day, minutes=minute),
        precision="exact",
        title=title,
        type="offensive",
        places=("homs",),
        updated_at=T0,
        sources=(SourceRef(source=source),),
    )


HISTORY = [
    # day 0: ACLED twice and a wire feed; ACLED's two join through the wire's report
    _report("acled-1", 0, 0),
    _report("acled-2", 0, 10, source="feed-wire"),  # cites the feed: the wire's report
    _report("acled-3", 0, 20),
    # day 1: two reports of one namespace, no feed Source: one feed, no group
    _report("ucdp-5", 1, 0),
    _report("ucdp-6", 1, 10),
    # day 2: two namespaces, no feed Source: two feeds, a group
    _report("acled-7", 2, 0),
    _report("ucdp-8", 2, 10),
    # day 3: one wire feed cited by two namespaces: one feed, no group
    _report("acled-9", 3, 0, source="feed-wire"),
    _report("ucdp-10", 3, 10, source="feed-wire"),
    # day 4: the same words with and without accents (a group), and Arabic (alone)
    _report("acled-11", 4, 0, title="Réfugiés arrivés à Homs"),
    _report("ucdp-12", 4, 5, title="Refugies arrives in Homs"),
    _report("ucdp-13", 4, 9, title="قوات المعارضة تصل إلى مشارف حمص"),
]
DAY0 = ("acled-1", "acled-2", "acled-3")
DAY2 = ("acled-7", "ucdp-8")
DAY4 = ("acled-11", "ucdp-12")
EXPECTED = {
    **dict.fromkeys(DAY0, DAY0),
    **dict.fromkeys(DAY2, DAY2),
    **dict.fromkeys(DAY4, DAY4),
}


def test_a_history_mixing_feed_sources_and_namespaces_groups_by_feed():
    assert corroboration_groups(HISTORY) == EXPECTED


def test_every_day_at_once_gives_what_day_by_day_gives():
    lookup = {e.id: e for e in HISTORY}
    per_row = DayGroups(HISTORY, lookup)
    asked = {e.id: per_row.get(e.id) for e in HISTORY}
    assert {k: v for k, v in asked.items() if v is not None} == EXPECTED
    whole = DayGroups(HISTORY, lookup)
    assert dict(whole.items()) == EXPECTED
    assert list(whole) == [*DAY0, *DAY2, *DAY4]  # days in time order, lead first


def test_a_filtered_snapshot_loses_the_group_its_reports_left():
    lookup = {e.id: e for e in HISTORY}
    shown = [e for e in HISTORY if e.id != "acled-2"]  # the wire's report filtered out
    assert dict(DayGroups(shown, lookup).items()) == {
        **dict.fromkeys(DAY2, DAY2),
        **dict.fromkeys(DAY4, DAY4),
    }
