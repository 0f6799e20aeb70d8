"""Deterministic synthetic tidy deliveries: many municipalities, every catalogue series, many editions.

Durations are left out: they are written m:ss, which a Parquet number column cannot carry.

Edition e (2002..2026 by default) delivers, for every municipality and series, the years e-11..e.
The latest year of an edition is provisional: counts are off by up to 2 % (status P) and restated
by the next edition (whose manifest says so in a revision note), grades are not yet surveyed ('-') and
filled by the next edition; percentages are provisional at their final value. WhatsApp exists from 2016.
Parts ('waarvan') stay within their parents. Files rotate between Parquet, ',' CSV with plain numbers
and ';' CSV with Dutch numbers.

The generator knows what the warehouse must hold and writes it to totals.json, computed here
from its own arrays, never from the pipeline.

    python bench/synth.py OUT_DIR --observations 1000000
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from kanaalmonitor.catalogue import Catalogue  # noqa: E402

FIRST_EDITION, LAST_EDITION, WINDOW = 2002, 2026, 12
WHATSAPP_FROM = 2016
FORMATS = ("parquet", "plain", "nl")


def municipalities_for(observations: int, editions: int = LAST_EDITION - FIRST_EDITION + 1,
                       window: int = WINDOW) -> int:
    """How many municipalities give about this many delivered cells."""
    per = len(generated_series()) * editions * window
    return max(1, round(observations / per))


def generated_series() -> list:
    """The catalogue series the generator delivers: all but durations."""
    return [s for s in Catalogue.load().series.values() if s.unit != "duration"]


class Synth:
    """The base figures of every municipality, series and year, and what each edition prints."""

    def __init__(self, municipalities: int, first: int = FIRST_EDITION, last: int = LAST_EDITION,
                 window: int = WINDOW, seed: int = 20190601):
        self.series = generated_series()
        self.codes = [s.series for s in self.series]
        self.units = np.array([s.unit for s in self.series])
        self.m, self.first, self.last, self.window = municipalities, first, last, window
        self.years = np.arange(first - window + 1, last + 1)
        rng = np.random.default_rng(seed)
        n_m, n_s, n_y = municipalities, len(self.series), len(self.years)
        size = rng.lognormal(10, 1, n_m)[:, None, None]
        level = rng.uniform(0.2, 2.0, (n_m, n_s, 1))
        trend = 1 + 0.03 * (self.years - self.years[0])[None, None, :]
        base = np.floor(size * level * trend)
        index = {c: i for i, c in enumerate(self.codes)}
        for s in self.series:
            i = index[s.series]
            if s.parent is not None:
                share = rng.uniform(0.1, 0.6, (n_m, 1, n_y))[:, 0, :]
                base[:, i, :] = np.floor(base[:, index[s.parent], :] * share)
            if s.unit == "percent":
                base[:, i, :] = np.round(rng.uniform(70, 99, (n_m, n_y)), 1)
            if s.unit == "grade":
                base[:, i, :] = np.round(rng.uniform(6, 8.5, (n_m, n_y)), 1)
        self.whatsapp = index.get("whatsapp_messages")
        self.available = np.ones((n_m, n_s, n_y), dtype=bool)
        if self.whatsapp is not None:
            self.available[:, self.whatsapp, self.years < WHATSAPP_FROM] = False
        self.base = base
        self.delta = rng.uniform(-0.02, 0.02, (n_m, 1, n_y))
        self.provisional = np.where(self.units[None, :, None] == "count",
                                    np.floor(base * (1 + self.delta)), base)

    def edition(self, e: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Value (NaN = not available) and status ('' or P) of every cell edition e prints, as [m, s, y]."""
        cols = (self.years >= e - self.window + 1) & (self.years <= e)
        value = self.base[:, :, cols].copy()
        available = self.available[:, :, cols].copy()
        latest = self.years[cols] == e
        prov = self.provisional[:, :, cols]
        value[:, :, latest] = prov[:, :, latest]
        grade = self.units == "grade"
        available[np.ix_(np.arange(self.m), np.flatnonzero(grade), np.flatnonzero(latest))] = False
        status = np.full(value.shape, "", dtype=object)
        status[:, :, latest] = "P"
        status[~available] = ""
        value = np.where(available, value, np.nan)
        return value, status, self.years[cols]

    def totals(self) -> dict:
        """What the warehouse must hold, from the generator's own arrays."""
        editions = list(range(self.first, self.last + 1))
        n_s = len(self.codes)
        current, revisions = {c: 0.0 for c in self.codes}, {"restated": 0, "filled": 0}
        observations = 0
        last_value = {}
        for e in editions:
            value, _, years = self.edition(e)
            for j, y in enumerate(years):
                key = int(y)
                if key in last_value:
                    old, new = last_value[key], value[:, :, j]
                    both = ~np.isnan(old) & ~np.isnan(new)
                    revisions["restated"] += int((both & (old != new)).sum())
                    revisions["filled"] += int((np.isnan(old) & ~np.isnan(new)).sum())
                last_value[key] = value[:, :, j]
        for v in last_value.values():
            observations += v.size
            for i, c in enumerate(self.codes):
                current[c] += float(np.nansum(v[:, i]))
        return {
            "municipalities": self.m,
            "editions": len(editions),
            "vintages": self.m * n_s * len(editions) * self.window,
            "observations": observations,
            "not_available": int(sum(np.isnan(v).sum() for v in last_value.values())),
            "current_sum": current,
            "revisions": revisions,
        }


def municipality_codes(n: int) -> list[str]:
    return [f"GM{i:04d}" for i in range(1, n + 1)]


def write(out: Path, municipalities: int, **kw) -> dict:
    """Write raw/<edition>/ deliveries under out and out/totals.json; return the totals."""
    synth = Synth(municipalities, **kw)
    raw = Path(out) / "raw"
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    codes = np.array(municipality_codes(municipalities))
    for i, e in enumerate(range(synth.first, synth.last + 1)):
        value, status, years = synth.edition(e)
        m_idx, s_idx, y_idx = np.meshgrid(np.arange(synth.m), np.arange(len(synth.codes)), np.arange(len(years)),
                                          indexing="ij")
        table = pa.table({
            "municipality": codes[m_idx.ravel()],
            "series": np.array(synth.codes)[s_idx.ravel()],
            "year": years[y_idx.ravel()].astype("int32"),
            "value": pa.array(value.ravel(), from_pandas=True),
            "status": pa.array([s or None for s in status.ravel()], type=pa.string()),
            "unit": synth.units[s_idx.ravel()],
        })
        con.register("edition", table)
        folder = raw / str(e)
        folder.mkdir(parents=True, exist_ok=True)
        form = FORMATS[i % len(FORMATS)]
        name = {"parquet": "observations.parquet", "plain": "observations.csv", "nl": "waarnemingen.csv"}[form]
        if form == "parquet":
            con.sql("select municipality, series, year, value, status from edition").to_parquet(str(folder / name))
        elif form == "plain":
            con.sql("select municipality, series, year, case when unit = 'count' then cast(cast(value as bigint) "
                    "as varchar) else cast(value as varchar) end as value, status from edition") \
                .to_csv(str(folder / name), sep=",", header=True)
        else:
            con.sql("select municipality, series, year, case when value is null then '-' "
                    "when unit = 'count' then replace(format('{:,}', cast(value as bigint)), ',', '.') "
                    "else replace(format('{:.1f}', value), '.', ',') end as value, "
                    "status from edition") \
                .to_csv(str(folder / name), sep=";", header=True)
        con.unregister("edition")
        notes = "".join(f'\n[[revision_notes]]\nseries = "{c}"\nyears = [{e - 1}]\n'
                        f'note = "Definitief cijfer; de vorige editie gaf een voorlopig cijfer."\n'
                        for c, unit in zip(synth.codes, synth.units) if unit == "count" and e > synth.first)
        (folder / "manifest.toml").write_text(
            f'# Synthetic national delivery, edition {e}.\nedition = {e}\nmunicipality = "GM0001"\n'
            f'published_on = {e}-06-01\nsource = "synthetic benchmark"\n\n[[files]]\npath = "{name}"\n'
            f'form = "tidy"\n{notes}', encoding="utf-8")
    con.close()
    totals = synth.totals()
    (Path(out) / "totals.json").write_text(json.dumps(totals, indent=2), encoding="utf-8")
    return totals


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out", type=Path, help="folder to write raw/ and totals.json into")
    p.add_argument("--observations", type=int, default=1_000_000, help="about how many delivered cells")
    args = p.parse_args()
    totals = write(args.out, municipalities_for(args.observations))
    print(json.dumps({k: totals[k] for k in ("municipalities", "editions", "vintages", "observations")}))


if __name__ == "__main__":
    main()
