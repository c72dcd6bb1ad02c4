"""sgb2: the BA small-area table of one reporting month (CSV or XLSX, title and footer blocks)."""

from __future__ import annotations

import polars as pl

from pipelines.contracts.loader import load_contract
from pipelines.deliveries.base import DeliveryFile, DeliveryKind, LoadContext, Transformed
from pipelines.deliveries.checks import contract_violations, split_valid, unknown_areas, valid_on
from pipelines.deliveries.periods import Period, month_from_title
from pipelines.parsing.german import thousands
from pipelines.parsing.table import LINE_COL, FileRejected, ParsedTable

# the BA count columns (contract columns with BA symbols), each with its `<m>_symbol` column
SGB2_MEASURES: tuple[str, ...] = tuple(
    c.name for c in load_contract("sgb2").columns if c.ba_symbols
)


class Sgb2(DeliveryKind):
    name = "sgb2"
    volume_total = "rlb"
    coarser_rows = True  # the BA adds rows for the municipality and districts
    # the BA closes every table with footnotes and `© Statistik der Bundesagentur für
    # Arbeit`; a file without them was cut, even when the cut fell exactly on a line end
    requires_footer = True

    def transform(self, file: DeliveryFile, parsed: ParsedTable, ctx: LoadContext) -> Transformed:
        if self.requires_footer and not parsed.footer_lines:
            last = parsed.frame.get_column(LINE_COL).max() if parsed.frame.height else None
            raise FileRejected(
                "datei_unvollstaendig",
                "Fußblock der BA fehlt (Fußnoten, © Statistik der Bundesagentur für Arbeit)"
                + (f": Datei endet nach Zeile {last}" if last else "")
                + "; Lieferung vermutlich abgeschnitten",
            )
        content_month = month_from_title(parsed.title_lines)
        if content_month is not None and content_month != file.period.key:
            raise FileRejected(
                "periode_widerspruch",
                f"Dateiname nennt {file.period.label()}, der Titelblock aber Berichtsmonat "
                f"{Period('monat', content_month).label()}",
            )
        typed, bad = self.typed(parsed, file)
        show = ["gebiet_id", *SGB2_MEASURES]
        q = [bad, contract_violations(self.name, typed, show)]
        totals = total_rows(typed, ctx.hierarchy, file.period.last_day)
        finest = typed.filter(~pl.col(LINE_COL).is_in(totals.get_column(LINE_COL).implode()))
        q.append(unknown_areas(finest, ctx.areas, file.period.last_day, show))
        ok, quarantine = split_valid(typed, q, ["gebiet_id"], show=show)
        check_totals(ok, ctx.hierarchy, file.period.last_day)
        cols = [pl.lit(file.period.value).alias("berichtsmonat"), pl.col("gebiet_id")]
        for m in SGB2_MEASURES:
            cols += [pl.col(m).cast(pl.Int32), pl.col(f"{m}_symbol")]
        warnings = []
        if content_month is None:
            warnings.append("kein Berichtsmonat im Titelblock: Zeitraum nur aus dem Dateinamen")
        return Transformed(ok.select(cols), quarantine, parsed.rows_read, warnings)


def total_rows(typed: pl.DataFrame, hierarchy: pl.DataFrame | None, on_date) -> pl.DataFrame:
    """Rows for a coarser area valid on the date (the BA's row for the municipality, or a
    district): exact values for a sum whose parts may be `*`; loaded beside the finest rows."""
    if hierarchy is None or hierarchy.height == 0:
        return typed.head(0)
    valid = valid_on(hierarchy, on_date)
    finest_rank = valid.get_column("ebene_rang").max()
    coarse = valid.filter(pl.col("ebene_rang") < finest_rank).get_column("gebiet_id")
    return typed.filter(pl.col("gebiet_id").is_in(coarse.implode()))


def check_totals(ok: pl.DataFrame, hierarchy: pl.DataFrame | None, on_date) -> None:
    """A total row must be what its finest areas in the same file can add up to.

    Known parts add up exactly; a BA `*` is at least 1 and, as a secondary suppression,
    may be more; `.`/`x` and an area missing from the file are at least 0. So: total ==
    sum when every part is known, else sum of the known parts + stars <= total. A total
    outside that is refused (`summenzeile_widerspruch`): one of the two is wrong.
    """
    if hierarchy is None or ok.height == 0:
        return
    valid = valid_on(hierarchy, on_date)
    parent = dict(valid.select("gebiet_id", "parent_id").rows())
    finest_rank = valid.get_column("ebene_rang").max()
    finest = set(valid.filter(pl.col("ebene_rang") == finest_rank).get_column("gebiet_id"))
    below: dict[str, set[str]] = {}
    for gid in finest:
        seen, up = set(), parent.get(gid)
        while up is not None and up not in seen:
            seen.add(up)
            below.setdefault(up, set()).add(gid)
            up = parent.get(up)
    rows = {r["gebiet_id"]: r for r in ok.iter_rows(named=True)}
    for gid, total in sorted(rows.items()):
        if gid in finest or gid not in below:
            continue
        parts = [rows.get(a) for a in sorted(below[gid])]
        for m in SGB2_MEASURES:
            if total[m] is None:
                continue
            known = sum(p[m] for p in parts if p is not None and p[m] is not None)
            stars = sum(
                1 for p in parts if p is not None and p[m] is None and p[f"{m}_symbol"] == "*"
            )
            open_parts = stars + sum(
                1 for p in parts if p is None or (p[m] is None and p[f"{m}_symbol"] != "*")
            )
            low = known + stars
            fits = total[m] == known if open_parts == 0 else total[m] >= low
            if not fits:
                want = f"{thousands(known)}" if open_parts == 0 else f"mindestens {thousands(low)}"
                raise FileRejected(
                    "summenzeile_widerspruch",
                    f"Summenzeile {gid} (Zeile {total[LINE_COL]}), Spalte {m}: {thousands(total[m])}, "
                    f"die feinsten Gebiete derselben Datei ergeben {want}",
                )
