"""The wheel holds every package of the checkout under the one import name ``sitmon``.

pyproject.toml lists packages by hand (setuptools' ``package-dir`` maps the
repository's ``store/``, ``widgets/`` and ``tui/`` to ``sitmon.*``, which automatic
discovery cannot express). A folder with an ``__init__.py`` that the list forgets
works in an editable install and is missing from ``pip install .``: this test
catches that before a user does.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OWNER_FOLDERS = {"store": "sitmon.store", "widgets": "sitmon.widgets", "tui": "sitmon.tui"}


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_package_folder_is_listed_for_the_wheel():
    listed = set(_config()["packages"])
    found = {"sitmon"}
    for folder, name in OWNER_FOLDERS.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            if rel.parts and rel.parts[0] == "_root":
                continue  # tui/_root/ is the sitmon package itself
            found.add(".".join([name, *rel.parts]))
    assert found - listed == set(), f"package folders missing from pyproject.toml: {found - listed}"
    assert listed - found == set(), (
        f"pyproject.toml lists packages with no folder: {listed - found}"
    )


def test_one_import_name_mapped_onto_the_owner_folders():
    mapping = _config()["package-dir"]
    assert mapping == {
        "sitmon": "tui/_root",
        "sitmon.store": "store",
        "sitmon.widgets": "widgets",
        "sitmon.tui": "tui",
    }
    assert all(name == "sitmon" or name.startswith("sitmon.") for name in _config()["packages"])
