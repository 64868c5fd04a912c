"""The command palette (Ctrl+P): commands built from the current state (posting's pattern).

Go to a place or a date, switch pane or situation, export, refresh, what
changed, theme, keys. Place names are data, so every prompt is built as a literal
:class:`~textual.content.Content` (Textual's own ``Matcher.highlight`` parses
markup, so it is not used on data text).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from . import actions

if TYPE_CHECKING:
    from .app import SitmonApp

__all__ = ["PaletteCommand", "SitmonCommands", "palette_commands"]


@dataclass(frozen=True)
class PaletteCommand:
    text: str  # plain text (data included): matched and shown literally
    help: str
    run: Callable[[], object]
    discover: bool = True


def palette_commands(app: SitmonApp) -> list[PaletteCommand]:
    """Every palette command for the app's current state."""
    cmds: list[PaletteCommand] = []
    add = cmds.append
    main = app.main_screen

    def key(action_id: str) -> str:  # the key as bound now (the user's [keymap] applied)
        return actions.key_hint(action_id, app.keymap, ascii=app.ascii)

    for pane_id, title in (
        ("timeline", "Timeline"),
        ("map", "Map"),
        ("quotes", "Quotes"),
        ("stats", "Statistics"),
    ):
        add(
            PaletteCommand(
                f"Switch pane: {title}",
                f"Focus the {title} pane",
                partial(main.action_jump, pane_id),
            )
        )
    add(
        PaletteCommand(
            "Go to date…",
            f"Type a date to show the situation as of then ({key('app.goto_date')})",
            main.action_goto_date,
        )
    )
    add(
        PaletteCommand(
            "Now: latest moment", f"Back to the latest data ({key('app.now')})", main.action_now
        )
    )
    add(
        PaletteCommand(
            "Replay day by day",
            f"Step a day every second from the start ({key('app.replay')})",
            main.action_replay,
        )
    )
    add(
        PaletteCommand(
            "Export pane",
            f"Export the focused pane exactly as shown ({key('app.export')})",
            partial(main.action_export, "pane"),
        )
    )
    add(
        PaletteCommand(
            "Export report",
            f"Export the situation report ({key('app.export_report')})",
            partial(main.action_export, "report"),
        )
    )
    add(
        PaletteCommand(
            "Save SVG screenshot", "Save an SVG picture of the screen", app.action_svg_screenshot
        )
    )
    add(
        PaletteCommand(
            "Refresh feeds",
            f"Fetch every configured feed now ({key('app.refresh')})",
            main.action_refresh_feeds,
        )
    )
    add(
        PaletteCommand(
            "Feeds",
            f"Every feed's last success, last error, next attempt; refresh one or all ({key('app.feeds')})",
            main.action_feeds,
        )
    )
    add(
        PaletteCommand(
            "What changed",
            f"The last refreshes and what they changed ({key('app.changes')})",
            main.action_changes,
        )
    )
    add(PaletteCommand("Change theme", "Pick a colour theme", app.action_change_theme))
    add(
        PaletteCommand(
            "Toggle timeline order",
            f"Newest first / chronological ({key('timeline.order')})",
            main.action_toggle_order,
        )
    )
    add(
        PaletteCommand(
            "Maximise pane",
            f"Maximise / restore the focused pane ({key('app.maximise')})",
            main.action_maximise,
        )
    )
    add(PaletteCommand("Keys", f"Show every key ({key('app.help')})", main.action_help))
    add(PaletteCommand("Quit", f"Quit sitmon ({key('app.quit')}, Ctrl+Q, Ctrl+C)", app.action_quit))
    current = app.situation_name
    for sit in app.situations():
        here = sit.name == current
        add(
            PaletteCommand(
                f"Situation: {sit.name} - {sit.title}",
                "The situation shown now"
                if here
                else f"Switch to it ({', '.join(sit.countries)}, {sit.tz}); each keeps its view",
                partial(app.switch_situation, sit.name),
            )
        )
    store = app.store
    if store is not None:
        for pid, place in sorted(
            store.places.items(), key=lambda kv: (kv[1].importance, kv[1].name)
        ):
            add(
                PaletteCommand(
                    f"Go to place: {place.name}",
                    "Select it on the map; the timeline and quotes show only it",
                    partial(main.go_to_place, pid),
                    discover=False,
                )
            )
        for day in app.time_travel_days():
            add(
                PaletteCommand(
                    f"Go to date: {day.isoformat()}",
                    "Show the situation as of the end of that day",
                    partial(app.set_day, day),
                    discover=False,
                )
            )
    return cmds


def _highlight(text: str, query: str, score_fn) -> Content:
    """``text`` as literal Content with the matched letters in bold (no markup parsing)."""
    content = Content(text)
    _, offsets = score_fn(query, text)
    for offset in offsets:
        if 0 <= offset < len(text) and not text[offset].isspace():
            content = content.stylize("bold underline", offset, offset + 1)
    return content


class SitmonCommands(Provider):
    """sitmon's commands for the palette."""

    async def discover(self) -> Hits:
        app: SitmonApp = self.app  # type: ignore[assignment]
        for cmd in palette_commands(app):
            if cmd.discover:
                yield DiscoveryHit(
                    Content(cmd.text), cmd.run, text=cmd.text, help=Content(cmd.help)
                )

    async def search(self, query: str) -> Hits:
        app: SitmonApp = self.app  # type: ignore[assignment]
        matcher = self.matcher(query)
        fuzzy = matcher.fuzzy_search.match
        for cmd in palette_commands(app):
            score = matcher.match(cmd.text)
            if score > 0:
                yield Hit(
                    score,
                    _highlight(cmd.text, query, fuzzy),
                    cmd.run,
                    text=cmd.text,
                    help=Content(cmd.help),
                )
