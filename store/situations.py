"""Situations: named workspaces, each with its own store, title, start date,
IANA time zone, area, factions, feeds and map labels.

Pure Python (no Textual, no Rich). Where they live (``data home`` is
``$SITMON_HOME``, else the platform's user data folder, e.g.
``~/.local/share/sitmon``)::

    <data home>/sitmon.json                   the bundled Syria 2024 situation's store
                                              ($SITMON_STORE overrides it, as before)
    <data home>/situations/<name>/situation.json   the definition (see Situation)
    <data home>/situations/<name>/store.json       its store (never seeded with Syria)
    <data home>/situations/<name>/admin1.json      its subdivisions, when given
    <data home>/situations/<name>/feeds.toml       its feeds (optional; see docs/situations.md)
    <data home>/current-situation              the name `sitmon situation use` chose

The bundled situation is called ``syria``: Syria 2024 (fixed ``UTC+03:00``,
area SYR drawn with OCHA's governorates), the default when nothing else is chosen.

Which situation a command uses: ``--situation NAME``, else ``$SITMON_SITUATION``,
else the one chosen with ``sitmon situation use``, else ``syria``
(:func:`resolve`).

Over 500 lines on purpose: a situation's folder (its definition, its factions
file, its store) is one on-disk format, read, created and removed here together
(sections: places, factions, create / remove).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import msgspec

from .geodata import GeoError, Unit, country, read_admin1, units_from_json, units_to_json
from .timeutil import DEFAULT_ZONE, TimeError, get_zone

__all__ = [
    "BUNDLED",
    "MapLabel",
    "Situation",
    "SituationError",
    "create_situation",
    "current_name",
    "data_home",
    "faction_look",
    "get_situation",
    "list_situations",
    "load_factions_file",
    "remove_situation",
    "resolve",
    "set_current",
    "situations_dir",
]

#: The bundled situation's name.
BUNDLED = "syria"
DEFINITION = "situation.json"
STORE_FILE = "store.json"
ADMIN1_FILE = "admin1.json"
FEEDS_FILE = "feeds.toml"
CURRENT_FILE = "current-situation"
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


class SituationError(ValueError):
    """A situation that cannot be made, found or used. One line; ``code`` is the
    exit code a command should return (2 for a bad argument)."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


class MapLabel(msgspec.Struct, frozen=True):
    """A name to print on the map at (lat, lon), e.g. a sea or a region."""

    text: str
    lat: float
    lon: float


class FactionSpec(msgspec.Struct, frozen=True):
    """A faction as a situation defines it (``--factions FILE.toml``)."""

    id: str
    name: str
    short: str
    colour: str
    symbol: str
    aliases: tuple[str, ...] = ()


class Situation(msgspec.Struct, frozen=True):
    """A situation: see the module docstring for where its parts live.

    ``countries`` are ISO 3166-1 alpha-3 codes of the shipped world layer;
    ``start`` is an ISO date (or None); ``tz`` an IANA zone name.
    """

    name: str
    title: str
    tz: str
    countries: tuple[str, ...]
    store_path: Path
    folder: Path | None = None  # None for the bundled situation
    start: str | None = None
    factions: tuple[FactionSpec, ...] = ()
    labels: tuple[MapLabel, ...] = ()
    admin1_credit: str = ""
    created: str = ""
    extra: Mapping[str, Any] = msgspec.field(default_factory=dict)

    @property
    def bundled(self) -> bool:
        return self.folder is None

    @property
    def feeds_path(self) -> Path | None:
        """The situation's own feeds file (None for the bundled situation, whose
        feeds are the main config's ``[[feeds]]``)."""
        return None if self.folder is None else self.folder / FEEDS_FILE

    def admin1(self) -> tuple[Unit, ...]:
        """Its subdivisions (empty when none were given). Raises SituationError
        when the saved file is damaged."""
        if self.folder is None:
            return ()
        return _admin1_cached(self.folder / ADMIN1_FILE)

    def actor_aliases(self) -> dict[str, str]:
        """Actor name (as feeds spell it) -> faction id, from the factions' aliases."""
        out: dict[str, str] = {}
        for f in self.factions:
            out[f.name] = f.id
            for a in f.aliases:
                out[a] = f.id
        return out


@lru_cache(maxsize=8)
def _admin1_cached(path: Path) -> tuple[Unit, ...]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return ()
    except OSError as exc:
        raise SituationError(f"cannot read {path}: {exc.strerror}", 1) from None
    try:
        return tuple(units_from_json(json.loads(raw)))
    except (ValueError, GeoError) as exc:
        raise SituationError(f"{path} is damaged ({exc})", 1) from None


# --------------------------------------------------------------------------- places


def data_home() -> Path:
    """``$SITMON_HOME``, else the platform's user data folder for sitmon."""
    env = os.environ.get("SITMON_HOME")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("sitmon", appauthor=False))


def situations_dir() -> Path:
    return data_home() / "situations"


def _bundled() -> Situation:
    from .db import default_store_path

    return Situation(
        name=BUNDLED,
        title="Syria 2024",
        tz=DEFAULT_ZONE,
        countries=("SYR",),
        store_path=default_store_path(),
        start="2024-11-27",
    )


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME_RE.match(name):
        shown = "".join(ch for ch in str(name) if ch.isprintable())[:40]
        raise SituationError(
            f"bad situation name {shown!r}: use 1-40 lower-case letters, digits, '-' or '_', "
            "starting with a letter or digit"
        )
    return name


def get_situation(name: str) -> Situation:
    """The situation called ``name``; SituationError (code 2) when there is none."""
    _check_name(name)
    if name == BUNDLED:
        return _bundled()
    folder = situations_dir() / name
    path = folder / DEFINITION
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        known = ", ".join(s.name for s in list_situations())
        raise SituationError(f"no situation called {name!r} (known: {known})") from None
    except OSError as exc:
        raise SituationError(f"cannot read {path}: {exc.strerror}", 1) from None
    try:
        return _from_definition(json.loads(raw), folder)
    except (ValueError, KeyError, TypeError) as exc:
        raise SituationError(f"the situation file {path} is damaged ({exc})", 1) from None


def _from_definition(doc: dict, folder: Path) -> Situation:
    factions = tuple(
        FactionSpec(
            f["id"], f["name"], f["short"], f["colour"], f["symbol"], tuple(f.get("aliases", ()))
        )
        for f in doc.get("factions", [])
    )
    labels = tuple(
        MapLabel(str(x["text"]), float(x["lat"]), float(x["lon"])) for x in doc.get("labels", [])
    )
    return Situation(
        name=folder.name,
        title=str(doc["title"]),
        tz=str(doc["tz"]),
        countries=tuple(str(c) for c in doc["countries"]),
        store_path=folder / STORE_FILE,
        folder=folder,
        start=doc.get("start"),
        factions=factions,
        labels=labels,
        admin1_credit=str(doc.get("admin1_credit", "")),
        created=str(doc.get("created", "")),
    )


def list_situations() -> list[Situation]:
    """The bundled situation first, then the others by name (damaged ones skipped)."""
    out = [_bundled()]
    try:
        names = sorted(p.name for p in situations_dir().iterdir() if (p / DEFINITION).is_file())
    except OSError:
        names = []
    for name in names:
        if _NAME_RE.match(name) and name != BUNDLED:
            try:
                out.append(get_situation(name))
            except SituationError:
                continue
    return out


def current_name() -> str:
    """The situation chosen with ``sitmon situation use`` (``syria`` when none or gone)."""
    try:
        name = (data_home() / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return BUNDLED
    if not _NAME_RE.match(name):
        return BUNDLED
    if name != BUNDLED and not (situations_dir() / name / DEFINITION).is_file():
        return BUNDLED
    return name


def set_current(name: str) -> Situation:
    """Make ``name`` the current situation (written atomically); returns it."""
    sit = get_situation(name)
    home = data_home()
    home.mkdir(parents=True, exist_ok=True)
    _write_atomic(home / CURRENT_FILE, (name + "\n").encode())
    return sit


def resolve(name: str | None = None) -> Situation:
    """The situation to use: ``name``, else ``$SITMON_SITUATION``, else the current one."""
    if name:
        return get_situation(name)
    env = os.environ.get("SITMON_SITUATION", "").strip()
    if env:
        return get_situation(env)
    return get_situation(current_name())


# --------------------------------------------------------------------------- factions

#: Distinct, legible colours on a dark background, then generated ones.
PALETTE = (
    "#e5534b",
    "#4f8fd6",
    "#57ab5a",
    "#c69026",
    "#b083f0",
    "#39c5cf",
    "#e0823d",
    "#d16ba5",
    "#8ddb8c",
    "#a0a0a0",
)
SYMBOLS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def faction_look(name: str, taken: Iterable[str] = ()) -> tuple[str, str]:
    """A stable (colour, symbol) for a faction called ``name``.

    The symbol is the name's first ASCII letter not in ``taken`` (symbols of
    other factions), else the first free one of :data:`SYMBOLS`; the colour is
    picked by a hash of the name (SHA-1, so it is the same on every run and
    machine) from :data:`PALETTE`.
    """
    used = set(taken)
    letters = [ch.upper() for ch in name if "a" <= ch.lower() <= "z"]
    symbol = next((ch for ch in letters if ch not in used), None)
    if symbol is None:
        symbol = next((ch for ch in SYMBOLS if ch not in used), "*")
    import colorsys
    import hashlib  # here: it loads OpenSSL, which the monitor's start does not need

    digest = hashlib.sha1(name.strip().casefold().encode()).digest()
    if digest[0] < 200:
        colour = PALETTE[digest[1] % len(PALETTE)]
    else:
        r, g, b = colorsys.hls_to_rgb(digest[2] / 255, 0.62, 0.55)
        colour = f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"
    return colour, symbol


def load_factions_file(path: str | Path) -> tuple[list[FactionSpec], list[MapLabel]]:
    """Factions (and optional map labels) from a TOML file::

        [[factions]]
        id = "saf"                       # required: a record id
        name = "Sudanese Armed Forces"   # required
        short = "SAF"                    # default: the name (at most 24 characters)
        colour = "#4f8fd6"               # default: faction_look(name)
        symbol = "S"                     # default: faction_look(name)
        aliases = ["Military Forces of Sudan (2019-)"]   # actor names feeds use

        [[labels]]
        text = "Red Sea"
        lat = 20.0
        lon = 38.5

    Raises SituationError (code 2) naming the file and the entry.
    """
    p = Path(path)
    try:
        doc = tomllib.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SituationError(f"cannot read {p.name}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SituationError(f"{p.name} is not TOML ({str(exc).splitlines()[0][:80]})") from None
    specs: list[FactionSpec] = []
    taken: set[str] = set()
    ids: set[str] = set()
    items = doc.get("factions", [])
    if not isinstance(items, list):
        raise SituationError(f"{p.name}: 'factions' must be an array of tables ([[factions]])")
    for i, f in enumerate(items, 1):
        where = f"{p.name}: factions entry {i}"
        if not isinstance(f, dict):
            raise SituationError(f"{where} is not a table")
        unknown = set(f) - {"id", "name", "short", "colour", "color", "symbol", "aliases"}
        if unknown:
            raise SituationError(f"{where}: unknown key {sorted(unknown)[0]!r}")
        fid, name = f.get("id"), f.get("name")
        if not isinstance(fid, str) or not re.match(
            r"^[A-Za-z0-9][A-Za-z0-9._:@/+#-]{0,159}$", fid
        ):
            raise SituationError(f"{where}: 'id' must be a word like \"saf\"")
        if fid in ids:
            raise SituationError(f"{where}: id {fid!r} appears twice")
        if not isinstance(name, str) or not name.strip() or len(name) > 500:
            raise SituationError(f"{where}: 'name' must be a non-empty string")
        short = f.get("short", name.strip()[:24])
        if not isinstance(short, str) or not 1 <= len(short) <= 24:
            raise SituationError(f"{where}: 'short' must be 1-24 characters")
        colour0, symbol0 = faction_look(name, taken)
        colour = f.get("colour", f.get("color", colour0))
        if not isinstance(colour, str) or not re.match(r"^#[0-9a-fA-F]{6}$", colour):
            raise SituationError(f"{where}: 'colour' must be like \"#4f8fd6\"")
        symbol = f.get("symbol", symbol0)
        if not isinstance(symbol, str) or not re.match(r"^[!-~]$", symbol):
            raise SituationError(f"{where}: 'symbol' must be one printable ASCII character")
        aliases = f.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise SituationError(f"{where}: 'aliases' must be a list of strings")
        ids.add(fid)
        taken.add(symbol)
        specs.append(FactionSpec(fid, name.strip(), short, colour.lower(), symbol, tuple(aliases)))
    labels: list[MapLabel] = []
    raw_labels = doc.get("labels", [])
    if not isinstance(raw_labels, list):
        raise SituationError(f"{p.name}: 'labels' must be an array of tables ([[labels]])")
    for i, x in enumerate(raw_labels, 1):
        try:
            text, lat, lon = x["text"], float(x["lat"]), float(x["lon"])
            if not isinstance(text, str) or not text.strip():
                raise ValueError
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValueError
        except (KeyError, TypeError, ValueError):
            raise SituationError(
                f"{p.name}: labels entry {i} needs text, lat (-90..90) and lon (-180..180)"
            ) from None
        labels.append(MapLabel(text.strip(), lat, lon))
    return specs, labels


# --------------------------------------------------------------------------- create / remove


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def create_situation(
    name: str,
    countries: Sequence[str],
    *,
    admin1: str | Path | None = None,
    title: str | None = None,
    start: str | None = None,
    tz: str | None = None,
    factions: str | Path | None = None,
    now: datetime | None = None,
) -> Situation:
    """Create the situation ``name``: its folder, definition and an empty store.

    Everything is checked before anything is written (unknown ISO code, an
    unreadable or non-polygon GeoJSON, an unknown zone, a bad date, a bad
    factions file, a name in use): SituationError with code 2, and nothing is
    created. The folder is assembled under a temporary name and renamed into
    place, so a failure never leaves half a situation. The zone defaults to
    UTC, the title to the countries' names.
    """
    _check_name(name)
    if name == BUNDLED:
        raise SituationError(f"{name!r} is the bundled situation; choose another name")
    if not countries:
        raise SituationError("give at least one --country (an ISO 3166-1 alpha-3 code, e.g. SDN)")
    try:
        units = [country(c) for c in countries]
    except GeoError as exc:
        raise SituationError(str(exc)) from None
    codes = tuple(dict.fromkeys(u.code for u in units))
    sub: list[Unit] = []
    if admin1 is not None:
        try:
            sub = read_admin1(admin1)
        except GeoError as exc:
            raise SituationError(f"--admin1: {exc}") from None
    zone = (tz or "UTC").strip()
    try:
        get_zone(zone)
    except TimeError as exc:
        raise SituationError(f"--tz: {exc}") from None
    if start is not None:
        try:
            start = date.fromisoformat(start.strip()).isoformat()
        except ValueError:
            shown = "".join(ch for ch in start if ch.isprintable())[:30]
            raise SituationError(
                f"--start: not a date {shown!r} (expected e.g. 2023-04-15)"
            ) from None
    specs: list[FactionSpec] = []
    labels: list[MapLabel] = []
    if factions is not None:
        specs, labels = load_factions_file(factions)
    if title is not None:
        title = " ".join("".join(ch for ch in title if ch.isprintable()).split())[:200]
    title = title or ", ".join(u.name for u in units)
    folder = situations_dir() / name
    if folder.exists():
        raise SituationError(f"a situation called {name!r} already exists ({folder})")
    stamp = (now or datetime.now(UTC)).replace(microsecond=0)
    doc = {
        "title": title,
        "start": start,
        "tz": zone,
        "countries": list(codes),
        "factions": [
            {
                "id": f.id,
                "name": f.name,
                "short": f.short,
                "colour": f.colour,
                "symbol": f.symbol,
                "aliases": list(f.aliases),
            }
            for f in specs
        ],
        "labels": [{"text": x.text, "lat": x.lat, "lon": x.lon} for x in labels],
        "admin1_credit": "",
        "created": stamp.isoformat(),
    }
    if start is None:
        del doc["start"]
    parent = situations_dir()
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".new-{name}-", dir=parent))
    try:
        (tmp / DEFINITION).write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
        if sub:
            (tmp / ADMIN1_FILE).write_text(
                json.dumps(units_to_json(sub), ensure_ascii=False, separators=(",", ":"))
            )
        _init_store(tmp / STORE_FILE, title, start, specs, stamp)
        try:
            os.rename(tmp, folder)
        except OSError:
            raise SituationError(f"a situation called {name!r} already exists ({folder})") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return get_situation(name)


def _init_store(
    path: Path, title: str, start: str | None, specs: Sequence[FactionSpec], stamp: datetime
) -> None:
    from .db import Store
    from .records import Faction, Source, SourceRef

    store = Store.open(path, seed=False)
    records: list[Any] = []
    if specs:
        records.append(
            Source(
                id="situation",
                name="Situation definition (sitmon situation new --factions)",
                updated_at=stamp,
            )
        )
        records += [
            Faction(
                id=f.id,
                name=f.name,
                short=f.short,
                symbol=f.symbol,
                colour=f.colour,
                updated_at=stamp,
                sources=(SourceRef("situation"),),
            )
            for f in specs
        ]
    meta = {"title": title}
    if start:
        meta["start"] = start
    store.merge(records, situation=meta)


def remove_situation(name: str) -> Path:
    """Delete the situation's folder (its store included); returns the folder.

    The bundled situation cannot be removed. When it was the current
    situation, the current one becomes ``syria``.
    """
    sit = get_situation(name)
    if sit.folder is None:
        raise SituationError("the bundled situation 'syria' cannot be removed")
    trash = sit.folder.with_name(f".removing-{name}-{os.getpid()}")
    os.rename(sit.folder, trash)
    shutil.rmtree(trash, ignore_errors=True)
    _admin1_cached.cache_clear()
    if current_name() == BUNDLED:
        with contextlib.suppress(OSError):
            cur = data_home() / CURRENT_FILE
            if cur.read_text(encoding="utf-8").strip() == name:
                cur.unlink()
    return sit.folder
