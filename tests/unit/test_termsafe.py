"""The one escaping function for outside strings, and config feed names that refuse what it escapes."""

from __future__ import annotations

import pytest
from sitmon.store.termsafe import terminal_safe
from sitmon.tui.config import ConfigError, load_config

HOSTILE = {
    "osc0-title": ("a\x1b]0;pwned\x07b", "a\\x1b]0;pwned\\x07b"),
    "osc52-clipboard": (
        "x\x1b]52;c;Y3VybCBldmlsfHNo\x07.json",
        "x\\x1b]52;c;Y3VybCBldmlsfHNo\\x07.json",
    ),
    "c1-csi": ("p\x9b31mred", "p\\x9b31mred"),
    "c1-osc": ("p\x9d0;t\x9c", "p\\x9d0;t\\x9c"),
    "bidi-override": ("invoice\u202efdp.exe", "invoice\\u202efdp.exe"),
    "bidi-isolate": ("a\u2066b\u2069", "a\\u2066b\\u2069"),
    "newline-and-cr": ("one\ntwo\rthree\tfour", "one\\ntwo\\rthree\\tfour"),
    "nul-del": ("a\x00b\x7fc", "a\\x00b\\x7fc"),
    "line-separator": ("a\u2028b", "a\\u2028b"),
    "lone-surrogate": ("name\udcff.json", "name\\udcff.json"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_terminal_steering_characters_are_shown_as_escapes(case):
    raw, shown = HOSTILE[case]
    assert terminal_safe(raw) == shown


def test_ordinary_text_is_unchanged_and_escaping_is_idempotent():
    for text in [
        "Homs – الحسكة",
        "naïve café",
        "👩‍👩‍👧 zwj family",
        "C:\\path\\file.json",
        "[bold]x[/]",
    ]:
        assert terminal_safe(text) == text
    for raw, shown in HOSTILE.values():
        assert terminal_safe(terminal_safe(raw)) == shown


def test_any_object_and_a_length_cap():
    assert terminal_safe(OSError(2, "No such file")) == "[Errno 2] No such file"
    assert terminal_safe("x" * 50, max_len=10) == "x" * 9 + "…"


@pytest.mark.parametrize(
    "name",
    ["bad\x9bname", "bad\u202ename", "bad\u2067name", "bad\x1bname", "bad\u200ename"],
    ids=["c1-csi", "rlo", "rli", "esc", "rlm"],
)
def test_config_feed_names_refuse_c1_and_bidi_like_c0(tmp_path, name):
    path = tmp_path / "config.toml"
    encoded = name.encode("unicode_escape").decode().replace("\\x", "\\u00")
    path.write_text(f'[[feeds]]\nname = "{encoded}"\nurl = "/tmp/feed.json"\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == (
        f"{path}:2: feeds[0].name: a feed name may not hold control characters (C0, DEL, C1), "
        "bidi controls, line separators or a BOM"
    )
