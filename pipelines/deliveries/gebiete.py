"""gebiete: the area hierarchy (reference/gebiete.csv), checked as a whole before anything else."""

from __future__ import annotations

import polars as pl

from pipelines.deliveries.reference import ReferenceKind, line_list, overlapping_validity
from pipelines.parsing.table import LINE_COL, FileRejected


class Gebiete(ReferenceKind):
    name = "gebiete"
    must_have_rows = True
    keys = ["gebiet_id", "gueltig_ab"]
    out_columns = [
        "gebiet_id",
        "name",
        "ebene",
        "ebene_rang",
        "parent_id",
        "gueltig_ab",
        "gueltig_bis",
    ]

    def validate(self, frame: pl.DataFrame) -> pl.DataFrame:
        validate_hierarchy(frame)
        return frame.with_columns(pl.col("ebene_rang").cast(pl.Int32))


def validate_hierarchy(frame: pl.DataFrame) -> None:
    """Parents exist, ranks increase downwards, no cycles, one or more roots (rang 0)."""
    problems: list[str] = []
    if LINE_COL in frame.columns:
        dup = (
            frame.filter(pl.len().over("gebiet_id", "gueltig_ab") > 1)
            .group_by("gebiet_id", maintain_order=True)
            .agg(pl.col(LINE_COL).sort())
        )
        for g, lines in dup.iter_rows():
            problems.append(f"Gebiet {g} doppelt (Zeilen {line_list(lines)})")
    if LINE_COL in frame.columns:
        keyed = frame.filter(
            pl.col("gebiet_id").is_not_null()
            & (pl.len().over("gebiet_id", "gueltig_ab") == 1)  # exact duplicates: see above
        )
        overlap = overlapping_validity(keyed, ["gebiet_id"])
        for g, ln in overlap.select("gebiet_id", LINE_COL).iter_rows():
            problems.append(f"Gebiet {g}: Gültigkeit überlappt (Zeile {ln})")
    frame = frame.filter(pl.col("gebiet_id").is_not_null())
    ids = set(frame.get_column("gebiet_id").to_list())
    rank = dict(zip(frame["gebiet_id"].to_list(), frame["ebene_rang"].to_list(), strict=True))
    parent = dict(zip(frame["gebiet_id"].to_list(), frame["parent_id"].to_list(), strict=True))
    roots = [g for g, p in parent.items() if p is None]
    if not roots:
        problems.append("kein Gebiet ohne übergeordnetes Gebiet (Gesamtstadt fehlt)")
    for g, p in parent.items():
        if p is None:
            continue
        if p not in ids:
            problems.append(f"Gebiet {g}: übergeordnetes Gebiet {p} fehlt")
        elif rank[p] is not None and rank[g] is not None and rank[p] >= rank[g]:
            problems.append(f"Gebiet {g}: ebene_rang {rank[g]} nicht feiner als {p} ({rank[p]})")
    for g in ids:  # cycle detection by walking up
        seen, cur = set(), g
        while cur is not None and cur in parent:
            if cur in seen:
                problems.append(f"Zyklus in der Gebietshierarchie bei {g}")
                break
            seen.add(cur)
            cur = parent[cur]
    if problems:
        raise FileRejected("referenz_ungueltig", "; ".join(sorted(set(problems))[:5]))
