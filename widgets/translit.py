"""Readable 7-bit forms of Arabic-script names, for ASCII output (pure; no Textual).

A place named only in Arabic script (an ACLED ``location`` such as ``خان شيخون``)
still needs a label on an ASCII map: an internal id (``acled-x11a…``) means nothing
to a reader. :func:`romanize` gives a simplified romanization in the spirit of the
ALA-LC Arabic table without its diacritics (``kh``, ``sh``, ``th``, ``dh``, ``gh``;
ain and hamza as ``'``), with the Persian and Kurdish letters added. Short vowels
are not written in Arabic script, so the result is a readable approximation
(``خان شيخون`` -> ``Khan Shikhun``), not the conventional English spelling; a
place's ASCII alternative name, when it has one, is preferred to it.
"""

from __future__ import annotations

__all__ = ["romanize"]

_LETTERS: dict[str, str] = {
    "\u0621": "'",  # hamza
    "\u0622": "a",  # alef with madda
    "\u0623": "a",  # alef with hamza above
    "\u0624": "'",  # waw with hamza
    "\u0625": "i",  # alef with hamza below
    "\u0626": "'",  # yeh with hamza
    "\u0627": "a",  # alef
    "\u0628": "b",
    "\u0629": "a",  # teh marbuta
    "\u062a": "t",
    "\u062b": "th",
    "\u062c": "j",
    "\u062d": "h",
    "\u062e": "kh",
    "\u062f": "d",
    "\u0630": "dh",
    "\u0631": "r",
    "\u0632": "z",
    "\u0633": "s",
    "\u0634": "sh",
    "\u0635": "s",
    "\u0636": "d",
    "\u0637": "t",
    "\u0638": "z",
    "\u0639": "'",  # ain
    "\u063a": "gh",
    "\u0641": "f",
    "\u0642": "q",
    "\u0643": "k",
    "\u0644": "l",
    "\u0645": "m",
    "\u0646": "n",
    "\u0647": "h",
    "\u0648": "w",
    "\u0649": "a",  # alef maksura
    "\u064a": "y",
    "\u0671": "a",  # alef wasla
    "\u067e": "p",  # Persian
    "\u0686": "ch",
    "\u0698": "zh",
    "\u06a9": "k",
    "\u06af": "g",
    "\u06cc": "y",  # Farsi yeh
    "\u06c6": "o",  # Kurdish
    "\u06d5": "e",
    "\u06b5": "l",
    "\u0695": "r",
    "\u06ce": "e",
    "\u06a4": "v",
}
_DIGITS = {chr(0x0660 + i): str(i) for i in range(10)} | {
    chr(0x06F0 + i): str(i) for i in range(10)
}
_PUNCT = {"\u060c": ",", "\u061b": ";", "\u061f": "?", "\u066a": "%", "\u0640": ""}  # tatweel: ""
_VOWELISH = {"\u0648": "u", "\u064a": "i", "\u06cc": "i"}  # waw/yeh after a consonant


def romanize(text: str) -> str:
    """``text`` with its Arabic-script letters romanized; other characters unchanged.

    Waw and yeh read as the long vowels ``u``/``i`` after a consonant and as
    ``w``/``y`` elsewhere; harakat (short vowel marks) are dropped; each word
    that had Arabic letters is capitalised (a name: ``Khan Shikhun``), the
    article ``al-`` excepted (``دير الزور`` -> ``Dir al-Zur``).
    """
    out: list[str] = []
    prev_consonant = False
    word_arabic = False
    word_start = 0
    skip = False
    for i, ch in enumerate(text):
        if skip:
            skip = False
            continue
        if "\u064b" <= ch <= "\u065f" or ch == "\u0670":  # harakat, superscript alef
            continue
        if ch in _LETTERS:
            if not word_arabic:
                word_arabic = True
                word_start = len(out)
                if ch == "\u0627" and text[i + 1 : i + 2] == "\u0644" and i + 2 < len(text):
                    out.append("al-")  # the article, lower-case; the name after it is capitalised
                    word_start = len(out)
                    skip = True
                    prev_consonant = False
                    continue
            if ch in _VOWELISH and prev_consonant:
                rom = _VOWELISH[ch]
            elif ch == "\u0629" and out and out[-1].endswith("a"):
                rom = "h"  # teh marbuta after alef: Hamah
            else:
                rom = _LETTERS[ch]
            out.append(rom)
            prev_consonant = rom not in ("a", "i", "u", "'", "e", "o")
            continue
        if word_arabic and not ch.isalnum():
            _capitalise(out, word_start)
            word_arabic = False
        prev_consonant = False
        out.append(_DIGITS.get(ch) or _PUNCT.get(ch, ch))
    if word_arabic:
        _capitalise(out, word_start)
    return "".join(out)


def _capitalise(out: list[str], start: int) -> None:
    """Upper-case the first letter of the word that begins at ``out[start]``."""
    for i in range(start, len(out)):
        if out[i][:1].isalpha():
            out[i] = out[i][0].upper() + out[i][1:]
            return
