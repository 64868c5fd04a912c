"""Actor names (as ACLED, UCDP and other feeds spell them) -> sitmon faction ids.

The defaults cover Syria 2024: real ACLED actor strings (from the project's
reference list ``acled-syria-actor-names.json``) and UCDP side names. Only
names that correspond to a faction on the map resolve to a faction id; allies
without a faction of their own (Hezbollah, the coalition), generic and
civilian actors do not, and stay as plain actor text on the event. Russia,
Turkey, pro-Iran militias and the Islamic State map to the bundled dataset's
``russia``, ``turkey``, ``iran`` and ``isis`` factions. An id that is not a
faction in the store is dropped (adapters pass the store's faction ids).

The user's config ``[factions]`` table adds to and overrides the defaults::

    [factions]
    "HTS: Hayat Tahrir al Sham" = "hts_led"
    "Military Forces of Russia (2000-)" = "government"   # count Russia with the government

Matching is case-insensitive and ignores spacing; a unit of a mapped actor
(``"Military Forces of Syria (2000-) 4th Armored Division"``) maps like the
actor itself, and ACLED's renamed state actor ``(2000-2024)`` maps like
``(2000-)``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

__all__ = ["DEFAULT_ACTOR_FACTIONS", "REFERENCE_CATEGORIES", "ActorMap"]

#: The reference list's suggested category for each real ACLED actor string (for the record).
REFERENCE_CATEGORIES: dict[str, str] = {
    "Military Forces of Syria (2000-)": "government",
    "Military Forces of Syria (2000-) Syrian Arab Air Force": "government",
    "Military Forces of Syria (2000-) 4th Armored Division": "government",
    "Military Forces of Syria (2000-) 5th Assault Corps": "government",
    "Military Forces of Syria (2000-) Military Intelligence": "government",
    "Military Forces of Syria (2000-) Prison Guards": "government",
    "QDW: National Defense Forces": "government",
    "Allied Syrian and/or Russian Forces": "government",
    "Military Forces of Russia (2000-)": "government_ally",
    "Hezbollah": "government_ally",
    "Militia (Pro-Iran)": "government_ally",
    "HTS: Hayat Tahrir al Sham": "hts_led",
    "TIP: Turkistan Islamic Party": "hts_led",
    "Ansar al Tawhid": "hts_led",
    "Jaysh al Izza": "hts_led",
    "Opposition Rebels (Syria)": "opposition_generic",
    "JaS: Levant Front": "sna",
    "Sultan Murad Division": "sna",
    "Sultan Suleiman Shah Brigade (Syria)": "sna",
    "Military Forces of Turkey (2016-)": "sna_ally",
    "Military Forces of Turkey (2016-) Gendarmerie": "sna_ally",
    "QSD: Syrian Democratic Forces": "sdf",
    "QSD: Syrian Democratic Forces - Intelligence": "sdf",
    "YPG: Peoples Protection Units": "sdf",
    "Global Coalition Against Daesh": "sdf_ally",
    "Islamic State (Syria)": "isis",
    "Dar'a Popular Resistance": "southern_opposition",
    "Saraya Qasioun": "other",
    "Islamist Militia (Syria)": "other",
    "Unidentified Armed Group (Syria)": "unknown",
    "Military Forces of Israel (2009-)": "external",
    "Protesters (Syria)": "civil",
    "Rioters (Syria)": "civil",
}

#: Categories that are factions on sitmon's map.
MAP_FACTIONS = frozenset({"government", "hts_led", "sna", "sdf", "sfa", "southern_opposition"})

#: Default actor name -> faction id (only names that map to a faction on the map).
DEFAULT_ACTOR_FACTIONS: dict[str, str] = {
    **{name: cat for name, cat in REFERENCE_CATEGORIES.items() if cat in MAP_FACTIONS},
    # outside powers that the bundled dataset names as factions of their own
    "Military Forces of Russia (2000-)": "russia",
    "Military Forces of Turkey (2016-)": "turkey",
    "Militia (Pro-Iran)": "iran",
    "Islamic State (Syria)": "isis",
    # ACLED renamed the state actor after 8 Dec 2024
    "Military Forces of Syria (2000-2024)": "government",
    # UCDP GED side names
    "Government of Syria": "government",
    "HTS": "hts_led",
    "Hay'at Tahrir al-Sham": "hts_led",
    "Hayat Tahrir al-Sham": "hts_led",
    "SNA": "sna",
    "Syrian National Army": "sna",
    "SDF": "sdf",
    "Syrian Democratic Forces": "sdf",
    "Syrian Free Army": "sfa",
    "Southern Operations Room": "southern_opposition",
}

_SPACES = re.compile(r"\s+")


def _norm(name: str) -> str:
    name = _SPACES.sub(" ", name.strip().casefold())
    return name.replace("(2000-2024)", "(2000-)")


class ActorMap:
    """Resolves actor names to faction ids: defaults, then user overrides."""

    def __init__(
        self,
        overrides: Mapping[str, str] | None = None,
        *,
        defaults: Mapping[str, str] | None = None,
    ) -> None:
        table: dict[str, str] = {}
        for name, faction in (DEFAULT_ACTOR_FACTIONS if defaults is None else defaults).items():
            table[_norm(name)] = faction
        for name, faction in (overrides or {}).items():
            table[_norm(name)] = faction
        self._table = table
        # longest first, for unit/sub-actor prefix matching
        self._prefixes = sorted(table, key=len, reverse=True)
        self._memo: dict[str, str | None] = {}

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.faction(name) is not None

    def faction(self, name: str, known: Collection[str] | None = None) -> str | None:
        """The faction id for actor ``name`` (or None). With ``known``, only ids in it."""
        if not isinstance(name, str) or not name.strip():
            return None
        found = self._memo.get(name, "")
        if found == "":
            found = self._memo[name] = self._lookup(_norm(name))
        if found is None and known is not None and name.strip() in known:
            found = name.strip()  # the actor is spelled as a faction id
        if found is not None and known is not None and found not in known:
            return None
        return found

    def _lookup(self, key: str) -> str | None:
        found = self._table.get(key)
        if found is None:
            for prefix in self._prefixes:
                if key.startswith(prefix) and key[len(prefix) : len(prefix) + 1] in (" ", "-", ":"):
                    return self._table[prefix]
        return found

    def factions(self, names: list[str], known: Collection[str] | None = None) -> list[str]:
        """Distinct faction ids of ``names``, in order."""
        out: list[str] = []
        for n in names:
            f = self.faction(n, known)
            if f is not None and f not in out:
                out.append(f)
        return out
