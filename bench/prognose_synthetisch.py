"""Back-test of both projection methods on a long synthetic city (docs/projection.md).

    python -m bench.prognose_synthetisch [--scale city] [--first-year 2009] [--seed 7]

The synthetic generator's register population and its moves by age (known rates,
pipelines/synthetic/population.py) for a longer series than the delivered scales have (the
back-test needs three transitions before and five actual years after a base date), in
today's area layout, handed to `pipelines.projection.run` as the dbt models do. Prints the
mean over base dates of the weighted error and the MAPE at the finest level, horizon 5 years,
for both methods and the two baselines.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import numpy as np
import polars as pl

from pipelines.projection import run
from pipelines.synthetic import population as sp
from pipelines.synthetic.geography import build_geography
from pipelines.synthetic.scales import SCALES


def frames(scale_name: str, first_year: int, seed: int):
    scale = replace(SCALES[scale_name], first_year=first_year)
    geo = build_geography(scale, seed)
    prof = sp.build_profiles(geo, scale, seed)
    pop = sp.simulate_population(prof, scale, seed)
    ids = pl.Series(geo.atom_id.astype(str))
    parts = []
    for k, day in enumerate(pop.dates):
        if day.month != 12:
            continue
        c = pop.counts[k].sum(3)  # (atoms, ages, sexes)
        a, age, sex = np.nonzero(c)
        parts.append(
            pl.DataFrame(
                {
                    "gebiet_id": ids.gather(a),
                    "periode": [day] * len(a),
                    "alter": age.astype(np.int64),
                    "geschlecht": pl.Series(sp.SEXES).gather(sex),
                    "anzahl": c[a, age, sex].astype(np.int64),
                }
            )
        )
    einwohner = pl.concat(parts)
    moves = []
    for year, m in sp.moves_by_age(prof, scale, seed).items():
        a, j, age, sex = np.nonzero(m)
        moves.append(
            pl.DataFrame(
                {
                    "gebiet_id": ids.gather(a),
                    "jahr": np.full(len(a), year, dtype=np.int64),
                    "art": pl.Series(sp.MOVE_KINDS).gather(j),
                    "alter": age.astype(np.int64),
                    "geschlecht": pl.Series(sp.SEXES).gather(sex),
                    "anzahl": m[a, j, age, sex].astype(np.int64),
                }
            )
        )
    current = geo.gebiete.filter(pl.col("gueltig_bis").is_null())
    return einwohner, pl.concat(moves), current


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="city")
    ap.add_argument("--first-year", type=int, default=2009)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    einwohner, bewegungen, gebiete = frames(args.scale, args.first_year, args.seed)
    _, guete = run(einwohner, gebiete, bewegungen=bewegungen, projections=False)
    finest = gebiete.filter(pl.col("ebene_rang") == pl.col("ebene_rang").max())["ebene"][0]
    rows = guete.filter(
        (pl.col("ebene") == finest)
        & (pl.col("groessenklasse") == "alle")
        & (pl.col("horizont_jahre") == 5)
    )
    bases = sorted(rows["basis_stichtag"].unique())
    print(
        f"{args.scale}, {args.first_year}-{SCALES[args.scale].last_year}, {finest}, "
        f"base dates {bases[0]:%Y}-{bases[-1]:%Y} ({len(bases)}), horizon 5 years"
    )
    table = (
        rows.group_by("zielgruppe", "methode")
        .agg(pl.col("gewichteter_fehler").mean(), pl.col("mape").mean())
        .sort("zielgruppe", "methode")
    )
    for gruppe, methode, weighted, mape in table.iter_rows():
        print(f"{gruppe:7} {methode:15} weighted {weighted:5.1f} %  MAPE {mape:5.1f} %")


if __name__ == "__main__":
    main()
