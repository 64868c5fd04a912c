"""The [keymap] check: unknown key names and conflicts are reported by id and key."""

from __future__ import annotations

import pytest
from sitmon.tui.actions import check_keymap, key_name_ok


def test_the_default_keys_have_no_conflict():
    assert check_keymap({}) == ({}, [])


@pytest.mark.parametrize(
    "key",
    ["q", "E", "[", "?", "ctrl+r", "f5", "pageup", "shift+left", "left_square_bracket", "comma"],
)
def test_textual_key_names_are_accepted(key):
    assert key_name_ok(key)


@pytest.mark.parametrize("key", ["not_a_key_name!!", "", "ctlr+r", "ctrl+", "pgup", " ", "f 5"])
def test_unknown_key_names_are_refused(key):
    assert not key_name_ok(key)


def test_an_unknown_key_name_is_reported_with_its_id_and_dropped():
    keymap, problems = check_keymap({"app.quit": "not_a_key_name!!", "app.now": "N"})
    assert keymap == {"app.now": "N"}
    assert problems == [
        "[keymap] 'app.quit': unknown key name 'not_a_key_name!!' "
        "(a character, or a name such as ctrl+r, f5, pageup, left_square_bracket)"
    ]


def test_a_key_taken_from_another_binding_stays_with_it():
    keymap, problems = check_keymap({"app.now": "q"})
    assert keymap == {}
    assert problems == ["[keymap] 'app.now': 'q' is already Quit (app.quit); not applied"]


def test_a_pane_key_conflicts_with_an_app_key_but_not_with_a_dialog_key():
    keymap, problems = check_keymap({"pane.down": "j,r", "dialog.cancel": "r"})
    assert keymap == {"pane.down": "j", "dialog.cancel": "r"}
    assert problems == ["[keymap] 'pane.down': 'r' is already Refresh (app.refresh); not applied"]


def test_swapping_two_keys_is_not_a_conflict():
    assert check_keymap({"app.quit": "n", "app.now": "q"}) == (
        {"app.quit": "n", "app.now": "q"},
        [],
    )


def test_two_entries_wanting_one_key_the_first_keeps_it():
    keymap, problems = check_keymap({"app.quit": "x", "app.now": "x"})
    assert keymap == {"app.quit": "x"}
    assert problems == ["[keymap] 'app.now': 'x' is already Quit (app.quit); not applied"]


def test_reserved_keys_and_unknown_ids_are_reported():
    keymap, problems = check_keymap(
        {"app.filter": "ctrl+p,F", "app.nwo": "x", "app.quit": "ctrl+c"}
    )
    assert keymap == {"app.filter": "F", "app.quit": "ctrl+c"}
    assert problems == [
        "[keymap] 'app.filter': 'ctrl+p' is kept for the command palette",
        "[keymap] 'app.nwo': unknown binding id (press ? for the ids)",
    ]
