"""A sitmon feed document whose every text field is hostile (for terminal-safety tests)."""

from __future__ import annotations

import re

STAMP = "2024-12-05T23:00:00+03:00"

#: each payload carries a marker so a leak can be told from the app's own escape codes
PAYLOADS = [
    "\x1b]0;PWN-TITLE\x07",  # window title
    "\x1b]52;c;UFdOLUNMSVA=\x07",  # clipboard write
    "\x1b]8;;http://evil.example/PWN-LINK\x1b\\click\x1b]8;;\x1b\\",  # hyperlink
    "\x1b[2J\x1b[3JPWN-CLEAR",  # screen clear
    "\x1b[38;5;196mPWN-SGR",  # colour
    "\x9b31mPWN-C1CSI\x9d0;PWN-C1OSC\x9c",  # C1 CSI / OSC
    "NUL\x00DEL\x7fCR\rPWN-CTRL",
    "\u202ePWN-BIDI\u202c\u2067iso\u2069",
    "zero\u200bwidth\u200djoin\ufeffPWN-ZW",  # harmless and kept (they carry meaning)
]
MARKUP = [
    "[bold]",
    "[/x]",
    "[/",
    "[a[0]]",
    "[link=https://evil.example]L[/link]",
    "[@click=app.quit]",
    "[@click=app.screenshot('pwned.svg','{shot_dir}')]",
]

#: sequences that must never reach the terminal (the app itself never emits these)
LEAK_PATTERNS = [
    re.compile(rb"\x1b\]0;PWN"),
    re.compile(rb"\x1b\]52;"),
    re.compile(rb"\x1b\]8;;http://evil"),
    re.compile(rb"\x1b\[3JPWN"),
    re.compile(rb"\x1b\[38;5;196mPWN"),
    re.compile("\u009b31mPWN".encode()),
    re.compile("\u009d0;PWN".encode()),
    re.compile(rb"NUL\x00DEL"),
    re.compile(rb"DEL\x7fCR"),
    re.compile("\u202ePWN".encode()),
    re.compile("\u2067iso".encode()),
]


def hostile_text(label: str, shot_dir: str) -> str:
    markup = " ".join(m.format(shot_dir=shot_dir) for m in MARKUP)
    return f"{label} {markup} " + " ".join(PAYLOADS)


def leaks(raw: bytes) -> list[str]:
    """The hostile sequences found in a terminal byte stream."""
    return [p.pattern.decode("utf-8", "replace") for p in LEAK_PATTERNS if p.search(raw)]


def hostile_document(shot_dir: str) -> dict:
    def h(label: str) -> str:
        return hostile_text(label, shot_dir)

    ref = [{"source": "evil", "url": "javascript:alert(1)", "note": h("NOTE")}]
    return {
        "sitmon_feed": 1,
        "title": h("FEED"),
        "situation": {"title": h("SITUATION"), "start": "2024-11-27"},
        "sources": [
            {
                "id": "evil",
                "name": h("SOURCE"),
                "kind": "media",
                "url": "javascript:alert(1)",
                "updated_at": STAMP,
            }
        ],
        "factions": [
            {
                "id": "evilf",
                "name": h("FACTION"),
                "short": "[@click=app.quit]",
                "symbol": "[",
                "colour": "#ff0000",
                "group": h("GROUP"),
                "updated_at": STAMP,
                "sources": ref,
            }
        ],
        "places": [
            {
                "id": "evilp",
                "name": "Hama[bold]x[/b]\x1b]0;PWN-PLACE\x07",
                "alt_names": [h("ALT")],
                "lat": 35.13,
                "lon": 36.75,
                "governorate": h("GOV"),
                "importance": 1,
                "note": h("PLACENOTE"),
                "updated_at": STAMP,
                "sources": ref,
            }
        ],
        "control": [
            {
                "id": "evilc",
                "place": "evilp",
                "faction": "evilf",
                "status": "contested",
                "valid_from": "2024-11-28T00:00:00+03:00",
                "note": h("CONTROLNOTE"),
                "updated_at": STAMP,
                "sources": ref,
            }
        ],
        "events": [
            {
                "id": f"evile{i}",
                "time": f"2024-11-{28 + i}T12:00:00+03:00",
                "precision": "exact",
                "title": "[@click=app.quit]Hama [bold]x[/b]" + (" " + p if i else ""),
                "summary": h(f"SUMMARY{i}"),
                "type": "battle",
                "places": ["evilp"],
                "factions": ["evilf"],
                "actors": [h("ACTOR")],
                "url": "javascript:alert(1)",
                "updated_at": STAMP,
                "sources": ref,
            }
            for i, p in enumerate([""] + PAYLOADS[:2])
        ],
        "quotes": [
            {
                "id": "evilq",
                "speaker": "[@click=app.quit]Speaker\x1b]0;PWN-SPEAKER\x07",
                "role": h("ROLE"),
                "text": h("QUOTE"),
                "said_at": "2024-11-29T00:00:00+03:00",
                "outlet": h("OUTLET"),
                "context": h("CONTEXT"),
                "places": ["evilp"],
                "event": "evile0",
                "updated_at": STAMP,
                "sources": ref,
            }
        ],
        "figures": [
            {
                "id": "evilfig",
                "metric": "displaced",
                "value": 1234,
                "qualifier": "at least",
                "as_of": "2024-11-30T00:00:00+03:00",
                "scope": h("SCOPE"),
                "note": h("FIGNOTE"),
                "unit": "[@click=app.quit]",
                "updated_at": STAMP,
                "sources": ref,
            }
        ],
    }
