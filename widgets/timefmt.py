"""Clock times that say their zone.

Pure (no Textual, no Rich). Two kinds of time reach the screen:

- the *moment shown* (``as of 2024-12-05``): a day in the situation's zone,
  named with :func:`zone_label` (``Damascus +03``);
- *clock times* of feeds, refreshes and the change log: the user's local zone
  (the system's, or ``$TZ``), with its abbreviation: ``07:27 EET``, or
  ``2024-12-05 07:27 EET`` when not today.

``sitmon info`` uses the same functions, so the header, the Feeds screen, the
change log and the command line agree on every time.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

__all__ = ["fmt_age", "fmt_clock", "local_now", "zone_abbrev", "zone_label"]


def local_now() -> datetime:
    """Now in the user's local zone (aware)."""
    return datetime.now().astimezone()


def _to_zone(dt: datetime, tz: tzinfo | None) -> datetime:
    """``dt`` in ``tz`` (None: the user's local zone, read from the system or ``$TZ``)."""
    return dt.astimezone(tz) if tz is not None else dt.astimezone()


def zone_abbrev(dt: datetime) -> str:
    """The zone abbreviation of aware ``dt`` (``EET``, ``UTC``, ``+03``).

    Zones without a letter abbreviation in the tz database get their offset
    (``+03``, ``+0530``), as the tz database writes them.
    """
    name = dt.tzname() or ""
    if name and name != "UTC" and name.startswith("UTC") and len(name) > 3:
        name = name[3:].replace(":", "")  # Python's fixed-offset names: "UTC+03:00" -> "+0300"
    if not name:
        off = dt.utcoffset() or timedelta(0)
        mins = int(off.total_seconds() // 60)
        sign = "+" if mins >= 0 else "-"
        h, m = divmod(abs(mins), 60)
        name = f"{sign}{h:02d}" + (f"{m:02d}" if m else "")
    if name.endswith("00") and len(name) == 5 and name[0] in "+-":
        name = name[:3]  # +0300 -> +03, as the tz database writes it
    return name


def zone_label(tz: tzinfo, at: datetime) -> str:
    """A zone named for people: ``Damascus +03``, ``UTC``, or ``UTC+03`` for a bare offset.

    An IANA zone (``zoneinfo.ZoneInfo``) gives its city and its abbreviation at
    ``at``; a fixed offset gives the abbreviation only.
    """
    local = at.astimezone(tz)
    abbrev = zone_abbrev(local)
    key = getattr(tz, "key", None)
    if not key or key in ("UTC", "Etc/UTC"):
        return f"UTC{abbrev}" if abbrev[:1] in "+-" else abbrev
    city = key.rsplit("/", 1)[-1].replace("_", " ")
    return f"{city} {abbrev}" if abbrev != city else city


def fmt_clock(
    dt: datetime, now: datetime | None = None, tz: tzinfo | None = None, *, dated: bool = False
) -> str:
    """A clock time with its zone: ``07:27 EET`` today, else ``2024-12-05 07:27 EET``.

    ``tz`` None means the user's local zone; ``now`` (default: now) decides
    "today" in that zone; ``dated`` always writes the date (logs, ``info``).
    """
    local = _to_zone(dt, tz)
    today = _to_zone(now, tz).date() if now is not None else _to_zone(local_now(), tz).date()
    clock = local.strftime("%H:%M")
    if dated or local.date() != today:
        clock = f"{local.date().isoformat()} {clock}"
    return f"{clock} {zone_abbrev(local)}"


def fmt_age(then: datetime, now: datetime) -> str:
    """How long ago, in words: ``just now``, ``12 min``, ``3 h``, ``2 days`` (no "ago")."""
    secs = max(0, int((now - then).total_seconds()))
    if secs < 60:
        return "just now"
    if secs < 3600:
        return f"{secs // 60} min"
    if secs < 86400 * 2:
        return f"{secs // 3600} h"
    return f"{secs // 86400} days"
