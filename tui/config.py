"""sitmon's TOML config: feeds, faction names, theme and keymap.

Where: ``--config PATH``, else ``$SITMON_CONFIG``, else
``platformdirs.user_config_dir("sitmon")/config.toml``. A missing file is an
empty config. Validated with msgspec; unknown keys are errors. A
:class:`ConfigError` names the file, the line and the key.

Header values and the url may use ``${VAR}``: they are expanded from the
environment at fetch time only (:func:`expand_headers`,
:func:`sitmon.store.fetch.expand_url`) and never stored, logged or shown; a
url is only ever shown masked (``appname=***``).

No Textual import here: the CLI and the headless core use it too.
"""

from __future__ import annotations

import argparse
import os
import re
import tomllib
import typing
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta, Struct, field
from sitmon.store.adapters.base import FORMATS
from sitmon.store.records import ID_PATTERN
from sitmon.store.sanitize import INVISIBLE_MARKS, UNSAFE_CLASS

__all__ = [
    "EXAMPLE_CONFIG",
    "Config",
    "ConfigError",
    "FeedConfig",
    "config_path",
    "default_config_path",
    "expand_headers",
    "load_config",
]

FeedFormat = Literal[FORMATS]  # type: ignore[valid-type]
_FACTION_ID = ID_PATTERN  # a faction id is a record id


class ConfigError(Exception):
    """Config problems: one line each, naming the file, the line and the key.

    ``problems`` holds every problem found (each a ConfigError of one line);
    ``path``, ``line`` and ``key`` are those of the first. ``str()`` is the
    first problem's line when there is one problem, else a count followed by
    one line per problem.
    """

    def __init__(
        self,
        message: str,
        *,
        path: Path | None = None,
        line: int | None = None,
        key: str | None = None,
        problems: list[ConfigError] | None = None,
    ) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.key = key
        self.problems: list[ConfigError] = problems or [self]

    @classmethod
    def of(cls, problems: list[ConfigError]) -> ConfigError:
        """One error carrying every problem in ``problems`` (at least one)."""
        first = problems[0]
        if len(problems) == 1:
            return first
        message = f"{first.path}: {len(problems)} problems:\n" + "\n".join(
            f"  {p}" for p in problems
        )
        return cls(message, path=first.path, line=first.line, key=first.key, problems=problems)


#: a feed name holds no C0/C1 control, DEL, bidi control, line separator or BOM: it is
#: printed by ``refresh``, ``info`` and the monitor's header (the same set
#: :func:`sitmon.store.termsafe.terminal_safe` escapes)
FEED_NAME_PATTERN = f"^[^\\t\\n{UNSAFE_CLASS}{INVISIBLE_MARKS}]+$"


class FeedConfig(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One ``[[feeds]]`` entry."""

    name: Annotated[str, Meta(min_length=1, max_length=100, pattern=FEED_NAME_PATTERN)]
    url: Annotated[str, Meta(min_length=1, max_length=4000)]
    format: FeedFormat = "auto"
    #: seconds between refreshes in the monitor
    interval: Annotated[int, Meta(ge=10, le=7 * 86400)] = 300
    #: total deadline per fetch attempt, seconds
    timeout: Annotated[float, Meta(gt=0, le=600)] = 30.0
    #: cap on the decompressed body, bytes
    max_bytes: Annotated[int, Meta(ge=1024, le=1 << 31)] = 15 * 1024 * 1024
    #: pages of a paged API (UCDP) followed at most
    max_pages: Annotated[int, Meta(ge=1, le=1000)] = 20
    enabled: bool = True
    #: extra request headers; values may use ${VAR} from the environment
    headers: dict[str, str] = field(default_factory=dict)


class _File(Struct, frozen=True, forbid_unknown_fields=True):
    theme: str | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    feeds: list[FeedConfig] = field(default_factory=list)
    factions: dict[str, Annotated[str, Meta(pattern=_FACTION_ID)]] = field(default_factory=dict)


class Config(Struct, frozen=True, kw_only=True):
    """The whole config. ``path`` is the file it was read from (None: built in code)."""

    theme: str | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    feeds: list[FeedConfig] = field(default_factory=list)
    factions: dict[str, str] = field(default_factory=dict)
    path: Path | None = None

    def feed(self, name: str) -> FeedConfig | None:
        for f in self.feeds:
            if f.name == name:
                return f
        return None

    @property
    def enabled_feeds(self) -> list[FeedConfig]:
        return [f for f in self.feeds if f.enabled]


def default_config_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir("sitmon", appauthor=False)) / "config.toml"


def config_path(args: argparse.Namespace | None = None) -> Path:
    """``--config``, else ``$SITMON_CONFIG``, else the platform config folder."""
    given = getattr(args, "config", None) if args is not None else None
    if given:
        return Path(given).expanduser()
    env = os.environ.get("SITMON_CONFIG")
    if env:
        return Path(env).expanduser()
    return default_config_path()


def load_config(path: Path | None = None) -> Config:
    """Read and validate the config at ``path`` (None: the default place).

    A missing file gives an empty :class:`Config`. Raises :class:`ConfigError`.
    """
    path = Path(path) if path is not None else config_path(None)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config(path=path)
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a config file", path=path) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}", path=path) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}:{line}: not UTF-8 text", path=path, line=line) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        line = int(m.group(1)) if m else None
        problem = re.sub(r"\s*\(at line \d+, column \d+\)", "", msg)
        problem = problem.replace("\n", " ").strip()
        where = f"{path}:{line}" if line else f"{path}"
        col = f", column {m.group(2)}" if m else ""
        raise ConfigError(
            f"{where}: TOML syntax error{col}: {problem}", path=path, line=line
        ) from None
    problems = _problems(path, text, data)
    if problems:
        raise ConfigError.of(problems)
    try:
        parsed = msgspec.convert(data, _File, strict=True)
    except msgspec.ValidationError as exc:  # pragma: no cover - _problems checks every key
        raise _validation_error(path, text, str(exc)) from None
    return Config(
        theme=parsed.theme,
        keymap=dict(parsed.keymap),
        feeds=list(parsed.feeds),
        factions=dict(parsed.factions),
        path=path,
    )


def _problems(path: Path, text: str, data: dict[str, Any]) -> list[ConfigError]:
    """Every problem of the parsed TOML ``data``, in file order (each naming line and key).

    msgspec stops at the first error, so each key is checked on its own against
    the type the structs declare: one run reports an unknown ``colour`` and a
    misspelled ``intervall`` together.
    """
    out: list[ConfigError] = []

    def problem(segments: list[str | int], message: str) -> None:
        out.append(_error(path, text, segments, _readable(message, segments)))

    top = {f.name: f.type for f in msgspec.structs.fields(_File)}
    for key, value in data.items():
        if key not in top:
            problem([key], _UNKNOWN)
        elif key != "feeds":
            problem_of = _type_problem(value, top[key])
            if problem_of:
                problem([key], problem_of)
    for prefix, table in _string_tables(data):
        for key, value in table.items():
            if not isinstance(value, str):
                got = _TOML_TYPES.get(type(value), type(value).__name__)
                problem([*prefix, key], f"Expected `str`, got `{got}`")
            elif prefix == ["factions"] and not re.match(_FACTION_ID, value):
                problem(
                    [*prefix, key],
                    f"{value[:40]!r} is not a faction id (letters, digits and . _ : @ / + # -)",
                )
            elif len(prefix) == 3 and not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", key):
                problem([*prefix, key], "not a valid header name")
            elif len(prefix) == 3 and ("\n" in value or "\r" in value):
                problem([*prefix, key], "header values are one line")
    feeds = data.get("feeds", [])
    if not isinstance(feeds, list):
        problem(["feeds"], "Expected an array of tables ([[feeds]])")
        feeds = []
    fields = {f.name: f for f in msgspec.structs.fields(FeedConfig)}
    names: dict[str, int] = {}
    for i, feed in enumerate(feeds):
        if not isinstance(feed, dict):
            problem(["feeds", i], "Expected a table ([[feeds]])")
            continue
        for key, value in feed.items():
            if key not in fields:
                problem(["feeds", i, key], _UNKNOWN)
            elif key != "headers":
                problem_of = _type_problem(value, fields[key].type)
                if problem_of:
                    problem(["feeds", i, key], problem_of)
                elif key == "url":
                    url_problem = _url_problem(value)
                    if url_problem:
                        problem(["feeds", i, key], url_problem)
        for key, info in fields.items():
            if info.required and key not in feed:
                problem(["feeds", i, key], "required key is missing")
        name = feed.get("name")
        if isinstance(name, str):
            if name in names:
                problem(
                    ["feeds", i, "name"], f"duplicate feed name {name!r} (names must be unique)"
                )
            names.setdefault(name, i)
    out.sort(key=lambda e: e.line or 0)
    return out


_UNKNOWN = "unknown key (check the spelling; see `sitmon config init` for every key)"


def _type_problem(value: Any, annotation: Any) -> str | None:
    """msgspec's message when ``value`` does not fit ``annotation`` (None: it fits)."""
    if isinstance(value, dict) and typing.get_origin(annotation) is dict:
        return None  # the string tables are checked key by key (_string_tables)
    try:
        msgspec.convert(value, annotation, strict=True)
    except msgspec.ValidationError as exc:
        return str(exc).partition(" - at `")[0]
    return None


def _string_tables(data: dict[str, Any]) -> list[tuple[list[str | int], dict[str, Any]]]:
    """(key path, table) of the tables whose values must be strings."""
    tables: list[tuple[list[str | int], Any]] = [
        (["keymap"], data.get("keymap")),
        (["factions"], data.get("factions")),
    ]
    feeds = data.get("feeds")
    if isinstance(feeds, list):
        for i, feed in enumerate(feeds):
            if isinstance(feed, dict):
                tables.append((["feeds", i, "headers"], feed.get("headers")))
    return [(prefix, table) for prefix, table in tables if isinstance(table, dict)]


_TOML_TYPES = {str: "str", int: "int", float: "float", bool: "bool", dict: "table", list: "array"}


_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


def _url_problem(url: str) -> str | None:
    """Why ``url`` cannot be fetched (None: it can): checked at load, not at the first fetch.

    A URL (``scheme:``) must be ``https://`` or ``http://`` with a host and no
    white space, or a ``file:`` URL; anything else without a scheme is a local
    path (a one-letter "scheme" is a Windows drive). ``${VAR}`` placeholders
    stand for text from the environment and pass as a word.
    """
    m = _SCHEME.match(url)
    if m is None or len(m.group(1)) == 1:
        return None  # a local path
    scheme = m.group(1).lower()
    if scheme not in ("http", "https", "file"):
        return f"unsupported URL scheme {scheme!r}: use https://, http://, file: or a path"
    if any(ch.isspace() for ch in url):
        return "a URL has no spaces (write a space as %20)"
    if scheme == "file":
        return None
    from urllib.parse import urlsplit

    rest = url[m.end() :]
    if not rest.startswith("//"):
        return f"{scheme}: URL needs '//' and a host (e.g. {scheme}://example.org/feed.json)"
    try:
        host = urlsplit(re.sub(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}", "x", url)).hostname
    except ValueError as exc:
        return f"not a valid URL: {exc}"
    if not host:
        return f"{scheme}: URL has no host (e.g. {scheme}://example.org/feed.json)"
    return None


def expand_headers(feed: FeedConfig, env: dict[str, str] | None = None) -> dict[str, str]:
    """The feed's headers with ``${VAR}`` expanded from the environment (for the request only).

    A missing variable is a :class:`ConfigError` naming the feed, header and
    variable (never a value).
    """
    from sitmon.store.fetch import FetchError
    from sitmon.store.fetch import expand_headers as _expand

    try:
        return _expand(feed.headers, env, feed=feed.name)
    except FetchError as exc:
        raise ConfigError(str(exc), path=None, key="headers") from None


# ------------------------------------------------------------ error locations


def _validation_error(path: Path, text: str, msg: str) -> ConfigError:
    problem, _, where = msg.partition(" - at `")
    where = where.rstrip("`")
    segments: list[str | int] = []
    for m in re.finditer(
        r"\.([^.\[\]]+)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]", where.removeprefix("$")
    ):
        if m.group(1) is not None:
            segments.append(m.group(1))
        elif m.group(2) is not None:
            segments.append(int(m.group(2)))
        else:
            segments.append(m.group(3))
    problem = _readable(problem, segments)
    m = re.search(r"unknown field `([^`]+)`", problem)
    if m:
        segments.append(m.group(1))
        problem = "unknown key (check the spelling; see `sitmon config init` for every key)"
    m = re.search(r"missing required field `([^`]+)`", problem)
    if m:
        segments.append(m.group(1))
        problem = "required key is missing"
    return _error(path, text, segments, problem)


#: what a feed name that fails :data:`FEED_NAME_PATTERN` is told (never the raw pattern,
#: which holds the very control characters it refuses)
_FEED_NAME_PROBLEM = (
    "a feed name may not hold control characters (C0, DEL, C1), bidi controls, "
    "line separators or a BOM"
)


def _readable(problem: str, segments: list[str | int]) -> str:
    """``problem`` (msgspec's wording) in the config's words where it has some."""
    if problem.startswith("Expected `str` matching regex") and segments[-1:] == ["name"]:
        return _FEED_NAME_PROBLEM
    return problem


def _error(path: Path, text: str, segments: list[str | int], problem: str) -> ConfigError:
    key = _key_name(segments)
    line = _find_line(text, segments)
    where = f"{path}:{line}" if line else str(path)
    return ConfigError(f"{where}: {key}: {problem}", path=path, line=line, key=key)


def _key_name(segments: list[str | int]) -> str:
    out = ""
    for s in segments:
        if isinstance(s, int):
            out += f"[{s}]"
        else:
            bare = re.fullmatch(r"[A-Za-z0-9_-]+", s)
            out += ("." if out else "") + (s if bare else f'"{s}"')
    return out or "(top level)"


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*=""")


def _find_line(text: str, segments: list[str | int]) -> int | None:
    """The line where the key at ``segments`` is defined (best effort, for messages)."""
    if not segments:
        return None
    # The table the key lives in, and the key itself.
    table: list[str | int] = []
    rest = list(segments)
    if rest[0] == "feeds" and len(rest) >= 2 and isinstance(rest[1], int):
        table = ["feeds", rest[1]]
        rest = rest[2:]
        if rest and rest[0] == "headers" and len(rest) >= 2:
            table.append("headers")
            rest = rest[1:]
    elif rest[0] in ("keymap", "factions") and len(rest) >= 2:
        table = [rest[0]]
        rest = rest[1:]
    target_key = rest[0] if rest else None
    current: list[str | int] = []
    feed_index = -1
    table_line: int | None = None
    for n, line in enumerate(text.splitlines(), 1):
        h = _HEADER.match(line)
        if h:
            name = h.group(2).strip()
            if h.group(1) == "[[":
                if name == "feeds":
                    feed_index += 1
                    current = ["feeds", feed_index]
                else:
                    current = [name]
            else:
                parts = [p.strip().strip('"') for p in name.split(".")]
                if parts[0] == "feeds" and len(parts) > 1:
                    current = ["feeds", feed_index, *parts[1:]]
                else:
                    current = parts
            if current == table and table_line is None:
                table_line = n
            continue
        k = _KEY.match(line)
        if k and current == table and target_key is not None:
            key = k.group(1)
            if key[:1] in "\"'":
                key = key[1:-1]
            if key == str(target_key):
                return n
    if target_key is None or isinstance(target_key, int):
        return table_line
    return table_line


EXAMPLE_CONFIG = """\
# sitmon configuration (TOML). Every key is optional.
# Read from --config PATH, else $SITMON_CONFIG, else this file.

# A Textual theme for the monitor.
# theme = "textual-dark"

# Remap keys: binding id -> comma-separated keys.
# [keymap]
# "app.quit" = "q,ctrl+q"

# Feeds refreshed by `sitmon refresh` and by the monitor in the background.
# format: auto | sitmon | jsonfeed | geojson | acled | ucdp | rss | gdelt | reliefweb | hapi
# url: https://..., http://..., a local path or a file: URL; ${VAR} comes from the
#      environment at fetch time and every url shown is masked (appname: ***)
#
# [[feeds]]
# name = "followup"                       # required, unique
# url = "https://example.org/sitmon/followup.sitmon.json"
# format = "auto"
# interval = 300                          # seconds between refreshes (at least 10)
# timeout = 30                            # deadline per fetch, seconds
# max_bytes = 15728640                    # cap on the decompressed body (15 MiB)
# max_pages = 20                          # pages followed (UCDP, ReliefWeb, GDELT)
# enabled = true
#
# [[feeds]]
# name = "acled"
# url = "https://acleddata.com/api/acled/read?country=Syria&event_date=2024-11-27|2024-12-08&event_date_where=BETWEEN"
# format = "acled"
# interval = 3600
# [feeds.headers]
# Authorization = "Bearer ${ACLED_TOKEN}"  # ${VAR} comes from the environment at fetch time
#
# [[feeds]]
# name = "reliefweb-syria"                # an approved appname is required (else HTTP 403)
# url = "https://api.reliefweb.int/v2/reports?appname=${RELIEFWEB_APPNAME}&query[value]=syria&limit=50"
# format = "reliefweb"

# Actor names (as ACLED/UCDP spell them) -> faction ids, on top of the defaults.
# [factions]
# "HTS: Hayat Tahrir al Sham" = "hts_led"
"""
