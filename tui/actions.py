"""The one registry of bindable actions (harlequin's ``actions.py``, posting's keymap).

Every key sitmon answers to is an :class:`ActionSpec` here, with a stable id.
Widgets get their ``BINDINGS`` from :func:`bindings`; the help screen and
``docs/keys.md`` are generated from the same list; users remap keys in the
config file's ``[keymap]`` table by id (``"timeline.order" = "O"``), which the
app hands to :meth:`textual.app.App.set_keymap`.

This module imports Textual's :class:`~textual.binding.Binding` only; it is
cheap to import.

Over 500 lines on purpose: most of it is the :data:`ACTIONS` table itself, one
entry per key, kept in one place so that the bindings, the help screen, the
palette hints and ``docs/keys.md`` cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import msgspec
from textual.binding import Binding

__all__ = [
    "ACTIONS",
    "SCOPES",
    "ActionSpec",
    "bindings",
    "by_id",
    "check_keymap",
    "ids",
    "display_keys",
    "effective_keys",
    "key_hint",
    "markdown_table",
]


class ActionSpec(msgspec.Struct, frozen=True):
    """One bindable action.

    ``id`` is the binding id users remap; ``keys`` the default keys (comma
    separated, Textual key names or single characters); ``action`` the Textual
    action string run in the scope's namespace.
    """

    id: str
    keys: str
    action: str
    description: str
    help: str
    scope: str
    show: bool = False
    key_display: str | None = None
    priority: bool = False


#: scope -> what the help screen calls it
SCOPES: dict[str, str] = {
    "app": "Anywhere on the main screen",
    "pane": "In any pane",
    "timeline": "Timeline pane",
    "map": "Map pane",
    "detail": "Detail, help and change views",
    "feeds": "Feeds screen",
    "filter": "Filter line",
    "dialog": "Dialogs (go to date, export)",
}

ACTIONS: tuple[ActionSpec, ...] = (
    # -- app: panes
    ActionSpec(
        "app.next_pane", "tab", "next_pane(1)", "Next pane", "Move focus to the next pane", "app"
    ),
    ActionSpec(
        "app.prev_pane",
        "shift+tab",
        "next_pane(-1)",
        "Previous pane",
        "Move focus to the previous pane",
        "app",
    ),
    ActionSpec(
        "app.pane_timeline", "1", "jump('timeline')", "Timeline", "Jump to the Timeline pane", "app"
    ),
    ActionSpec("app.pane_map", "2", "jump('map')", "Map", "Jump to the Map pane", "app"),
    ActionSpec(
        "app.pane_quotes", "3", "jump('quotes')", "Quotes", "Jump to the Quotes pane", "app"
    ),
    ActionSpec(
        "app.pane_stats", "4", "jump('stats')", "Statistics", "Jump to the Statistics pane", "app"
    ),
    ActionSpec(
        "app.maximise",
        "z",
        "maximise",
        "Max",
        "Maximise the focused pane / restore the layout",
        "app",
        show=True,
    ),
    ActionSpec(
        "app.filter",
        "slash",
        "filter",
        "Filter",
        "Filter the focused pane (words, place:, faction:, type:); Esc clears",
        "app",
        show=True,
    ),
    # -- app: time travel
    ActionSpec(
        "app.day_back",
        "left_square_bracket",
        "step_day(-1)",
        "Day-",
        "Show the situation one day earlier",
        "app",
        show=True,
        key_display="[",
    ),
    ActionSpec(
        "app.day_forward",
        "right_square_bracket",
        "step_day(1)",
        "Day+",
        "Show the situation one day later",
        "app",
        show=True,
        key_display="]",
    ),
    ActionSpec(
        "app.goto_date", "g", "goto_date", "Go to date", "Jump to a date (YYYY-MM-DD)", "app"
    ),
    ActionSpec(
        "app.replay",
        "p",
        "replay",
        "Replay",
        "Replay day by day from the start (press again to stop)",
        "app",
    ),
    ActionSpec("app.now", "n", "now", "Now", "Back to the latest moment", "app"),
    # -- app: everything else
    ActionSpec(
        "app.help",
        "question_mark,f1",
        "help",
        "Keys",
        "Show every key",
        "app",
        show=True,
        key_display="?",
    ),
    ActionSpec(
        "app.export",
        "e",
        "export('pane')",
        "Export",
        "Export the focused pane exactly as shown",
        "app",
    ),
    ActionSpec(
        "app.export_report",
        "E",
        "export('report')",
        "Report",
        "Export the situation report (all views)",
        "app",
    ),
    ActionSpec(
        "app.refresh", "r", "refresh_feeds", "Refresh", "Refresh every configured feed now", "app"
    ),
    ActionSpec(
        "app.feeds",
        "f",
        "feeds",
        "Feeds",
        "Feeds: each feed's last success, last error in full, next attempt; refresh one or all",
        "app",
        show=True,
    ),
    ActionSpec("app.changes", "c", "changes", "Changes", "What changed: the last refreshes", "app"),
    ActionSpec(
        "app.quit",
        "q",
        "quit_main",
        "Quit",
        "Quit sitmon (Ctrl+Q works everywhere)",
        "app",
        show=True,
    ),
    # -- any pane
    ActionSpec("pane.up", "up,k", "cursor_up", "Up", "Move the selection up", "pane"),
    ActionSpec("pane.down", "down,j", "cursor_down", "Down", "Move the selection down", "pane"),
    ActionSpec(
        "pane.page_up", "pageup", "page_up", "Page up", "Move the selection a page up", "pane"
    ),
    ActionSpec(
        "pane.page_down",
        "pagedown",
        "page_down",
        "Page down",
        "Move the selection a page down",
        "pane",
    ),
    ActionSpec("pane.first", "home", "first", "First", "Select the first row", "pane"),
    ActionSpec("pane.last", "end", "last", "Last", "Select the last row", "pane"),
    ActionSpec(
        "pane.open",
        "enter",
        "open",
        "Detail",
        "Open the detail view of the selection",
        "pane",
        show=True,
    ),
    ActionSpec(
        "pane.copy",
        "y",
        "copy",
        "Copy",
        "Copy the selected record as text with its sources",
        "pane",
    ),
    ActionSpec(
        "pane.open_url",
        "o",
        "open_url",
        "Open link",
        "Open the selected record's source URL in the system browser",
        "pane",
    ),
    ActionSpec(
        "pane.clear",
        "escape",
        "clear",
        "Clear",
        "Clear the pane's filter, then the place selection",
        "pane",
    ),
    # -- timeline
    ActionSpec(
        "timeline.order",
        "s",
        "toggle_order",
        "Order",
        "Newest first / chronological",
        "timeline",
        show=True,
    ),
    # -- map
    ActionSpec(
        "map.left", "left", "cursor_left", "Left", "Select the nearest place to the left", "map"
    ),
    ActionSpec(
        "map.right",
        "right",
        "cursor_right",
        "Right",
        "Select the nearest place to the right",
        "map",
    ),
    ActionSpec(
        "map.zoom_in",
        "plus,equals_sign",
        "zoom(1)",
        "Zoom+",
        "Zoom in around the selection",
        "map",
        show=True,
        key_display="+",
    ),
    ActionSpec(
        "map.zoom_out",
        "minus",
        "zoom(-1)",
        "Zoom-",
        "Zoom out",
        "map",
        show=True,
        key_display="-",
    ),
    ActionSpec("map.pan_left", "shift+left", "pan(-1, 0)", "Pan left", "Pan the map left", "map"),
    ActionSpec(
        "map.pan_right", "shift+right", "pan(1, 0)", "Pan right", "Pan the map right", "map"
    ),
    ActionSpec("map.pan_up", "shift+up", "pan(0, -1)", "Pan up", "Pan the map up", "map"),
    ActionSpec("map.pan_down", "shift+down", "pan(0, 1)", "Pan down", "Pan the map down", "map"),
    ActionSpec("map.reset", "0", "reset_view", "Reset", "Reset zoom and pan", "map"),
    ActionSpec(
        "map.charset", "a", "toggle_charset", "ASCII", "Braille / ASCII drawing", "map", show=True
    ),
    ActionSpec("map.labels", "l", "toggle_labels", "Labels", "Show / hide place labels", "map"),
    # -- detail / help / changes screens
    ActionSpec("detail.back", "escape,q", "back", "Back", "Close this view", "detail", show=True),
    ActionSpec("detail.up", "up,k", "scroll_line(-1)", "Up", "Scroll up", "detail"),
    ActionSpec("detail.down", "down,j", "scroll_line(1)", "Down", "Scroll down", "detail"),
    ActionSpec("detail.page_up", "pageup", "page(-1)", "Page up", "Scroll a page up", "detail"),
    ActionSpec(
        "detail.page_down", "pagedown,space", "page(1)", "Page down", "Scroll a page down", "detail"
    ),
    ActionSpec("detail.top", "home", "home", "Top", "Scroll to the top", "detail"),
    ActionSpec("detail.bottom", "end", "end", "Bottom", "Scroll to the bottom", "detail"),
    ActionSpec(
        "detail.next_link",
        "tab",
        "next_link(1)",
        "Next link",
        "Select the next linked place, event or quote",
        "detail",
        show=True,
    ),
    ActionSpec(
        "detail.prev_link",
        "shift+tab",
        "next_link(-1)",
        "Prev link",
        "Select the previous link",
        "detail",
    ),
    ActionSpec(
        "detail.follow",
        "enter",
        "follow_link",
        "Open link",
        "Open the selected link",
        "detail",
        show=True,
    ),
    ActionSpec(
        "detail.copy",
        "y",
        "copy",
        "Copy",
        "Copy the selected URL, else the record as text with its sources",
        "detail",
    ),
    ActionSpec(
        "detail.open_url",
        "o",
        "open_url",
        "Open URL",
        "Open the selected URL (else the record's first) in the system browser",
        "detail",
    ),
    ActionSpec("help.close", "question_mark", "back", "Back", "Close the keys screen", "detail"),
    # -- the Feeds screen (its reader keys scroll as in the detail view; these replace its
    # link keys, since a link there is a feed)
    ActionSpec(
        "feeds.next", "tab", "next_link(1)", "Next feed", "Select the next feed", "feeds", show=True
    ),
    ActionSpec(
        "feeds.prev", "shift+tab", "next_link(-1)", "Prev feed", "Select the previous feed", "feeds"
    ),
    ActionSpec(
        "feeds.refresh",
        "enter,r",
        "refresh_feed",
        "Refresh feed",
        "Refresh the selected feed now",
        "feeds",
        show=True,
    ),
    ActionSpec(
        "feeds.refresh_all",
        "R",
        "refresh_all",
        "Refresh all",
        "Refresh every configured feed now",
        "feeds",
        show=True,
    ),
    # -- dialogs
    ActionSpec(
        "dialog.cancel",
        "escape",
        "cancel",
        "Cancel",
        "Close the dialog without doing anything",
        "dialog",
        show=True,
    ),
    # -- filter line
    ActionSpec(
        "filter.clear",
        "escape",
        "cancel",
        "Clear",
        "Clear the filter and close the line",
        "filter",
        show=True,
    ),
)

_BY_ID = {a.id: a for a in ACTIONS}
assert len(_BY_ID) == len(ACTIONS), "duplicate action ids"


def by_id(action_id: str) -> ActionSpec:
    return _BY_ID[action_id]


def ids() -> frozenset[str]:
    """Every binding id users may remap."""
    return frozenset(_BY_ID)


def bindings(*scopes: str) -> list[Binding]:
    """Textual bindings for the actions of ``scopes`` (each with its id)."""
    return [
        Binding(
            a.keys,
            a.action,
            a.description,
            show=a.show,
            key_display=a.key_display,
            priority=a.priority,
            tooltip=a.help,
            id=a.id,
        )
        for a in ACTIONS
        if a.scope in scopes
    ]


def effective_keys(spec: ActionSpec, keymap: Mapping[str, str] | None = None) -> str:
    """The keys bound to ``spec`` after the user's keymap."""
    if keymap and spec.id in keymap:
        return keymap[spec.id]
    return spec.keys


_KEY_NAMES = {
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "slash": "/",
    "question_mark": "?",
    "plus": "+",
    "minus": "-",
    "equals_sign": "=",
    "escape": "Esc",
    "enter": "Enter",
    "tab": "Tab",
    "shift+tab": "Shift+Tab",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "home": "Home",
    "end": "End",
    "space": "Space",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "shift+up": "Shift+↑",
    "shift+down": "Shift+↓",
    "shift+left": "Shift+←",
    "shift+right": "Shift+→",
    "f1": "F1",
    "comma": ",",
    "full_stop": ".",
    "semicolon": ";",
    "colon": ":",
    "apostrophe": "'",
    "backslash": "\\",
    "less_than_sign": "<",
    "greater_than_sign": ">",
    "number_sign": "#",
    "asterisk": "*",
    "underscore": "_",
}


def display_keys(keys: str, *, ascii: bool = False) -> str:
    """``"left_square_bracket"`` -> ``[``, ``"up,k"`` -> ``↑ k`` (readable key names)."""
    out = []
    for key in keys.split(","):
        key = key.strip()
        name = _KEY_NAMES.get(key)
        if name is None:
            parts = key.split("+")
            name = "+".join(p.capitalize() if p in ("ctrl", "shift", "alt") else p for p in parts)
        if ascii:
            name = (
                name.replace("↑", "Up")
                .replace("↓", "Down")
                .replace("←", "Left")
                .replace("→", "Right")
            )
        out.append(name)
    return " ".join(out)


def key_hint(
    action_id: str, keymap: Mapping[str, str] | None = None, *, ascii: bool = False
) -> str:
    """The first key bound to ``action_id`` after ``keymap``, readable: ``g``, ``[``, ``?``.

    The palette's hints and the panes' title keys read it, so a remapped key
    shows everywhere it is named.
    """
    keys = effective_keys(by_id(action_id), keymap)
    return display_keys(keys.split(",")[0], ascii=ascii)


def rows(keymap: Mapping[str, str] | None = None) -> Iterable[tuple[str, str, str, str]]:
    """(scope title, keys, description, id) for every action, in registry order."""
    for a in ACTIONS:
        yield SCOPES[a.scope], display_keys(effective_keys(a, keymap)), a.help, a.id


EXTRA_KEYS: tuple[tuple[str, str, str], ...] = (
    (
        "Anywhere",
        "Ctrl+P",
        "Command palette: go to place, go to date, switch pane, export, refresh, theme",
    ),
    ("Anywhere", "Ctrl+Q, Ctrl+C", "Quit (in a text field Ctrl+C copies its selection)"),
)


#: scopes whose bindings are live at the same time (a key may mean one thing in each group)
CONFLICT_GROUPS: tuple[tuple[str, ...], ...] = (
    ("app", "pane", "timeline"),
    ("app", "pane", "map"),
    ("detail",),
    ("feeds",),
    ("dialog",),
    ("filter",),
)
#: keys sitmon keeps for itself whatever the keymap says (the palette, quit)
RESERVED_KEYS: dict[str, str] = {
    "ctrl+p": "the command palette",
    "ctrl+q": "Quit",
    "ctrl+c": "Quit",
}
_MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})


def _named_keys() -> frozenset[str]:
    from textual.keys import Keys

    return frozenset(k.value for k in Keys if not k.value.startswith("<"))


def key_name_ok(key: str) -> bool:
    """Is ``key`` a key Textual can deliver? (one character, or a key name with modifiers)

    Textual's names: its ``Keys`` values (``up``, ``f5``, ``pageup``, ...) and
    the Unicode names of characters (``left_square_bracket``, ``question_mark``);
    modifiers (``ctrl+``, ``shift+``, ``alt+``, ...) prefix either.
    """
    import unicodedata

    if len(key) == 1:
        return key.isprintable() and not key.isspace()
    *mods, base = key.split("+")
    if any(m not in _MODIFIERS for m in mods) or not base:
        return False
    if len(base) == 1:
        return base.isprintable() and not base.isspace()
    if base in _named_keys():
        return True
    try:
        unicodedata.lookup(base.replace("_", " ").upper())
    except KeyError:
        return False
    return True


def normal_key(key: str) -> str:
    """The name Textual matches ``key`` by (``[`` -> ``left_square_bracket``)."""
    from textual.keys import _character_to_key

    return _character_to_key(key) if len(key) == 1 else key


def check_keymap(keymap: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """(the keymap to apply, the problems found): every problem named by id and key.

    Unknown binding ids are dropped; unknown key names are dropped from their
    entry; a key that another binding live at the same time already uses
    (:data:`CONFLICT_GROUPS`) stays with the other binding (the default, or the
    entry written first) and is dropped from this entry, and a key sitmon
    keeps (:data:`RESERVED_KEYS`) is refused. An entry left with no key keeps
    its default keys when they are free. Each problem is one line.
    """
    problems: list[str] = []
    clean: dict[str, list[str]] = {}
    for aid, value in keymap.items():
        if aid not in _BY_ID:
            problems.append(f"[keymap] {aid!r}: unknown binding id (press ? for the ids)")
            continue
        keys = []
        for key in str(value).split(","):
            key = key.strip()
            if not key_name_ok(key):
                problems.append(
                    f"[keymap] {aid!r}: unknown key name {key!r} "
                    "(a character, or a name such as ctrl+r, f5, pageup, left_square_bracket)"
                )
                continue
            if normal_key(key) in RESERVED_KEYS and (
                _BY_ID[aid].action not in ("quit", "quit_main") or normal_key(key) == "ctrl+p"
            ):
                problems.append(
                    f"[keymap] {aid!r}: {key!r} is kept for {RESERVED_KEYS[normal_key(key)]}"
                )
                continue
            keys.append(key)
        if keys:
            clean[aid] = keys
    # Conflicts: the binding that had the key first (by default or earlier in the file) keeps it.
    for _ in range(len(clean) + 1):
        owner: dict[tuple[int, str], str] = {}
        order = [a.id for a in ACTIONS if a.id not in clean] + list(clean)
        dropped = False
        for aid in order:
            spec = _BY_ID[aid]
            keys = clean.get(aid) or spec.keys.split(",")
            for g, group in enumerate(CONFLICT_GROUPS):
                if spec.scope not in group:
                    continue
                for key in list(keys):
                    slot = (g, normal_key(key))
                    other = owner.setdefault(slot, aid)
                    if other == aid:
                        continue
                    if aid in clean and key in clean[aid]:
                        clean[aid].remove(key)
                        problems.append(
                            f"[keymap] {aid!r}: {key!r} is already {_BY_ID[other].description}"
                            f" ({other}); not applied"
                        )
                        if not clean[aid]:
                            del clean[aid]
                            dropped = True
        if not dropped:
            break
    return {aid: ",".join(keys) for aid, keys in clean.items()}, list(dict.fromkeys(problems))


def markdown_table(keymap: Mapping[str, str] | None = None) -> str:
    """The keys as a Markdown table (``docs/keys.md`` and the README)."""
    lines = ["| Where | Keys | What | Binding id |", "|---|---|---|---|"]
    for where, keys, what in EXTRA_KEYS:
        lines.append(f"| {where} | `{keys}` | {what} | |")
    for scope, keys, what, aid in rows(keymap):
        keys_md = " ".join(f"`{k}`" for k in keys.split(" "))
        lines.append(f"| {scope} | {keys_md} | {what} | `{aid}` |")
    return "\n".join(lines) + "\n"
