"""Which edition a refresh expects of each municipality, and which expected editions have not come in.

By default the edition of the current year (Amsterdam time) is expected of every municipality that has
delivered before: one with a delivery under raw/ or an edition in the published warehouse. A missing
edition is a warning, never a refusal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from kanaalmonitor.db import query_published
from kanaalmonitor.deliveries.manifest import Delivery

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MISSING_STATE = "Editie ontbreekt"


def local_time(utc: dt.datetime) -> str:
    """A naive UTC time (as the warehouse stores load times) in Amsterdam time: 2026-06-01 08:00."""
    return f"{utc.replace(tzinfo=dt.UTC).astimezone(AMSTERDAM):%Y-%m-%d %H:%M}"


@dataclass(frozen=True)
class MissingEdition:
    """An expected edition of one municipality that is neither under raw/ nor in the published warehouse."""

    municipality: str
    expected: int
    latest: int
    loaded_at: dt.datetime | None

    def __str__(self) -> str:
        loaded = f"geladen op {local_time(self.loaded_at)}" if self.loaded_at else "nog niet geladen"
        return (f"editie {self.expected} van {self.municipality} is niet binnengekomen; "
                f"laatste editie {self.latest}, {loaded}")


def expected_edition(expect_edition: int | None = None, now: dt.datetime | None = None) -> int:
    """The edition a refresh at now (naive UTC) expects: expect_edition when given, else the current year."""
    if expect_edition is not None:
        return expect_edition
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return now.replace(tzinfo=dt.UTC).astimezone(AMSTERDAM).year


def latest_editions(deliveries: list[Delivery], warehouse: Path,
                    now: dt.datetime | None = None) -> dict[str, tuple[int, dt.datetime | None]]:
    """Per municipality its latest edition and when it was loaded; a delivery not yet published loads at now."""
    latest: dict[str, tuple[int, dt.datetime | None]] = {}
    published = query_published(warehouse, "select municipality, edition, loaded_at from editions") or []
    loaded = {(m, e): t for m, e, t in published}
    found = [(m, e) for m, e, _ in published] + [(d.municipality, d.edition) for d in deliveries]
    for municipality, edition in found:
        if municipality not in latest or edition > latest[municipality][0]:
            latest[municipality] = (edition, loaded.get((municipality, edition), now))
    return latest


def missing_editions(deliveries: list[Delivery], warehouse: Path, expect_edition: int | None = None,
                     now: dt.datetime | None = None) -> list[MissingEdition]:
    """The expected edition of every municipality whose latest delivered edition is older, by municipality."""
    expected = expected_edition(expect_edition, now)
    return [MissingEdition(m, expected, edition, loaded_at)
            for m, (edition, loaded_at) in sorted(latest_editions(deliveries, warehouse, now).items())
            if edition < expected]


def missing_message(missing: list[MissingEdition]) -> str:
    """One line per missing edition: the message of the run's state and of the notification."""
    return "\n".join(str(m) for m in missing)
