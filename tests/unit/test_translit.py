"""Romanized Arabic-script names for ASCII output (issue 11: map labels show a name)."""

from __future__ import annotations

import pytest
from sitmon.widgets.translit import romanize


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("خان شيخون", "Khan Shikhun"),  # 08-acled-quirks.json's location
        ("دير الزور", "Dir al-Zur"),  # the article stays lower-case, joined by a hyphen
        ("حماة", "Hmah"),  # teh marbuta after alef
        ("إدلب", "Idlb"),
        ("معرة النعمان", "M'ra al-N'man"),  # ain as an apostrophe
        ("كوباني ٢", "Kubani 2"),  # Arabic-Indic digits
        ("Hama (حماة)", "Hama (Hmah)"),  # Latin text is left as it is
        ("", ""),
    ],
)
def test_romanize(name, expected):
    assert romanize(name) == expected
