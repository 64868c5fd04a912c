"""One ExportRequest, checked once, whether it comes from the command line or the app."""

from __future__ import annotations

import argparse
import dataclasses

import pytest
from sitmon.tui.cli import CommandError
from sitmon.tui.cli.export import request_from_args
from sitmon.widgets.export import ExportArgumentError, ExportRequest


def args(**kw) -> argparse.Namespace:
    base = dict(
        view="all", fmt="text", width=80, height=None, as_of=None, place=None,
        filter=None, ascii=False, timestamp=False,
    )  # fmt: skip
    base.update(kw)
    return argparse.Namespace(**base)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"view": "stats", "filter": "faction:sdf"},
         "faction:sdf does not apply to figures (filter them by words or place:)"),
        ({"view": "map", "height": 5}, "height must be at least 10 for the map (got 5)"),
        ({"view": "timeline", "fmt": "feed"},
         "the feed format exports the whole store: use it with --view all"),
        ({"fmt": "feed", "filter": "hama"},
         "the feed format exports the whole store: no --place or --filter"),
    ],
)  # fmt: skip
def test_the_same_check_and_message_from_the_cli_and_the_app(kw, message):
    with pytest.raises(ExportArgumentError) as app_error:
        ExportRequest(**kw)
    assert str(app_error.value) == message
    with pytest.raises(CommandError) as cli_error:
        request_from_args(args(**kw))
    assert str(cli_error.value) == message and cli_error.value.code == 2


def test_a_changed_format_is_checked_again():
    request = ExportRequest(view="timeline")
    assert dataclasses.replace(request, fmt="json").fmt == "json"
    with pytest.raises(ExportArgumentError, match="use it with --view all"):
        dataclasses.replace(request, fmt="feed")


def test_the_report_drops_a_pane_selection():
    assert ExportRequest(view="all", selected="ev-1").selected is None
    assert ExportRequest(view="timeline", selected="ev-1").selected == "ev-1"
    assert ExportRequest(view="map", fmt="markdown").file_name == "sitmon-map-latest.md"


def test_the_export_knows_the_map_renderers_smallest_height():
    # kept as a number in the request module, so a timeline export never imports the map
    from sitmon.widgets import map_render
    from sitmon.widgets.export import request

    assert request.MIN_HEIGHT == map_render.MIN_HEIGHT == 10
