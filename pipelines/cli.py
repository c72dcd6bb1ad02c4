"""The `sozialmonitor` command: the stable entry points of docs/outputs.md."""

from __future__ import annotations

import os
import secrets
import sys
import time
from pathlib import Path

import click

from pipelines import cli_german
from pipelines.protection.pseudonym import KEY_ENV

cli_german.install()


def _interactive() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


def _fmt_int(n: int) -> str:
    return f"{n:,}".replace(",", ".")


# click's metavars are no gettext texts: named here in German
OPTIONS = "[OPTIONEN]"


# options that several commands share, declared once
SEED_OPTION = click.option(
    "--seed",
    type=int,
    default=1,
    show_default=True,
    metavar="ZAHL",
    help="Startwert: gleicher Seed, gleiche Stadt",
)
WAIT_OPTION = click.option(
    "--wait",
    "wait",
    type=float,
    metavar="SEKUNDEN",
    default=0.0,
    show_default=True,
    help="Sekunden auf einen laufenden Lauf am selben Warehouse warten (0: sofort abbrechen)",
)


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    options_metavar=OPTIONS,
    subcommand_metavar="BEFEHL [ARGUMENTE]...",
)
@click.version_option(package_name="sozialmonitor")
def main() -> None:
    """sozialmonitor: Data Warehouse für die kommunale Sozialplanung.

    \b
    Exit-Codes:
      0  erfolgreich
      1  Abbruch oder fehlgeschlagene Prüfung
      2  falscher Aufruf (unbekannte Option, fehlendes Argument, ungültiger Wert)
      3  (run, demo) fertig, aber abgewiesene Dateien im Eingangsordner

    Hilfe zu einem Befehl: sozialmonitor BEFEHL --help
    """
    from pipelines.warehouse.files import owner_only

    owner_only()  # landing copies, warehouse, Dagster home: nothing readable by others


@main.command(options_metavar=OPTIONS)
@click.option(
    "--scale",
    type=click.Choice(["small", "city", "berlin"]),
    default="small",
    show_default=True,
    help="Größe der Stadt: small (50.000 Einwohner), city (600.000), berlin (3,8 Mio.)",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    required=True,
    help="Eingangsordner, der entsteht",
)
@SEED_OPTION
@click.option(
    "--no-defects", "no_defects", is_flag=True, help="keine absichtlichen Lieferfehler einstreuen"
)
def generate(scale: str, out_dir: Path, seed: int, no_defects: bool) -> None:
    """Erzeugt die Lieferungen einer synthetischen Stadt (nur den Eingangsordner)."""
    manifest = _generate(scale, out_dir, seed, not no_defects)
    files = manifest.get("files", [])
    n_rows = sum(info.get("rows", 0) for info in files.values())
    click.echo(
        f"Synthetische Stadt ({scale}, Seed {seed}) erzeugt: {len(files)} Dateien, "
        f"{_fmt_int(n_rows)} Datenzeilen, {len(manifest.get('defects', []))} absichtliche Fehler.\n"
        f"Eingangsordner: {out_dir}\nFehlerliste:     {out_dir / 'manifest.json'}"
    )


def _generate(scale: str, out_dir: Path, seed: int, defects: bool) -> dict:
    # the landing folder holds (synthetic) personal data: owner only, like a real one
    out_dir.mkdir(parents=True, exist_ok=True)
    out_dir.chmod(0o700)
    return _generate_into(scale, out_dir, seed, defects)


def _generate_into(scale: str, out_dir: Path, seed: int, defects: bool) -> dict:
    from pipelines.synthetic import generate as gen

    start = time.perf_counter()
    if _interactive():
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task("erzeuge", total=None)
            rows = 0

            def progress(relpath: str, n: int) -> None:
                nonlocal rows
                rows += n
                rate = rows / max(time.perf_counter() - start, 1e-6)
                bar.update(task, description=f"{relpath} ({_fmt_int(int(rate))} Zeilen/s)")

            return gen(out_dir, scale=scale, seed=seed, defects=defects, progress=progress)
    return gen(out_dir, scale=scale, seed=seed, defects=defects)


@main.command(options_metavar=OPTIONS)
@click.option(
    "--landing",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    required=True,
    help="Eingangsordner mit den Lieferungen (reference/, einwohner/, sgb2/, ...)",
)
@click.option(
    "--warehouse",
    type=click.Path(path_type=Path),
    required=True,
    help="Ordner des Warehouse (entsteht beim ersten Lauf): warehouse.duckdb, publish.duckdb, "
    "parquet/, excel/, reports/",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="Stadtkonfiguration (YAML, nur die geänderten Schlüssel; Vorgaben in "
    "pipelines/config/default.yaml)",
)
@WAIT_OPTION
@click.option(
    "--bestaetigen",
    "confirm",
    multiple=True,
    metavar="DATEI",
    help="Lieferung mit auffälligem Umfang trotzdem laden (Pfad relativ zum Eingangsordner, "
    "wiederholbar)",
)
def run(
    landing: Path, warehouse: Path, config_file: Path | None, wait: float, confirm: tuple
) -> None:
    """Lädt alle Lieferungen des Eingangsordners und baut Marts, Veröffentlichung und Bericht.

    \b
    Pseudonymisierungsschlüssel: die Umgebungsvariable SOZIALMONITOR_PSEUDONYM_KEY
    (mindestens 16 Zeichen, für eine Stadt immer derselbe, geheim) muss gesetzt sein;
    ohne sie beginnt kein Lauf mit personenbezogenen Lieferungen.

    \b
    Exit-Codes:
      0  alles geladen, alle blockierenden Prüfungen bestanden
      3  fertig, aber eine abgewiesene Datei liegt im Eingangsordner, oder eine Datei
         ähnelt einer Lieferung, ist aber keine (sie werden genannt)
      1  eine blockierende Prüfung oder ein Schritt ist fehlgeschlagen, oder der Lauf
         konnte nicht beginnen (kein Schlüssel, Warehouse belegt, Konfiguration fehlerhaft)
      2  falscher Aufruf (unbekannte Option, fehlender oder ungültiger Wert)
    """
    sys.exit(_run(landing, warehouse, config_file, wait, confirm))


def _run(
    landing: Path,
    warehouse: Path,
    config_file: Path | None,
    wait: float = 0.0,
    confirm: tuple = (),
) -> int:
    from pipelines.config import ConfigError, load_config
    from pipelines.deliveries.landing import LandingError

    try:  # a broken config is an answer in seconds: before Dagster is even imported
        load_config(config_file)
    except ConfigError as exc:
        click.echo(f"Abbruch: {exc}", err=True)
        return 1

    from pipelines.protection.pseudonym import MissingKeyError
    from pipelines.runner import run_pipeline
    from pipelines.warehouse.lock import WarehouseBusy

    listener = _progress_listener() if _interactive() else None
    start = time.perf_counter()
    try:
        outcome = run_pipeline(landing, warehouse, config_file, wait, confirm=tuple(confirm))
    except (WarehouseBusy, ConfigError, MissingKeyError, LandingError) as exc:
        click.echo(f"Abbruch: {exc}", err=True)
        return 1
    except Exception as exc:
        from pipelines.operator import explain

        message = explain(exc)  # disk full, no permission, a file held open by another program
        if message is None:
            raise  # a bug: the traceback is what a maintainer needs
        click.echo(f"Abbruch: {message}", err=True)
        return 1
    finally:
        if listener:
            listener.stop()
    _print_summary(warehouse, outcome, time.perf_counter() - start)
    return outcome.exit_code


class _progress_listener:
    """File-by-file progress on a terminal: rows per second and what is left."""

    def __init__(self) -> None:
        from rich.console import Console

        from pipelines.defs.ingest import progress

        self.console = Console(stderr=True)
        self.rows = 0
        self.files = 0
        self.start = time.perf_counter()
        progress.subscribe(self)

    def __call__(self, result, seconds: float) -> None:
        self.rows += result.rows_read
        self.files += 1
        rate = self.rows / max(time.perf_counter() - self.start, 1e-6)
        status = {"geladen": "geladen", "ersetzt": "ersetzt", "unveraendert": "unverändert",
                  "abgewiesen": "ABGEWIESEN"}.get(result.status, result.status)  # fmt: skip
        self.console.print(
            f"[dim]{self.files:>4}[/dim] {result.relpath:<45} {status:<12} "
            f"{_fmt_int(result.rows_loaded):>9} Zeilen  {_fmt_int(int(rate)):>9} Zeilen/s",
            highlight=False,
        )

    def stop(self) -> None:
        from pipelines.defs.ingest import progress

        progress.unsubscribe(self)


def _print_summary(warehouse: Path, outcome, seconds: float) -> None:
    import duckdb

    from pipelines.warehouse.files import WarehousePaths

    paths = WarehousePaths(warehouse)
    loaded = quarantined = files = 0
    if paths.warehouse_db.exists() and outcome.run_ids:
        con = duckdb.connect(str(paths.warehouse_db), read_only=True)
        try:
            marks = ", ".join("?" for _ in outcome.run_ids)
            files, loaded, quarantined = con.execute(
                f"""select count(*), coalesce(sum(zeilen_geladen), 0), coalesce(sum(zeilen_quarantaene), 0)
                    from audit.loads where status in ('geladen', 'ersetzt') and run_id in ({marks})""",
                outcome.run_ids,
            ).fetchone()
        finally:
            con.close()
    lines = [
        f"sozialmonitor: Lauf beendet in {seconds:,.0f} s.".replace(",", "."),
        f"  geladen:     {files} Dateien, {_fmt_int(loaded)} Zeilen",
        f"  Quarantäne:  {_fmt_int(quarantined)} Zeilen (Gründe in {paths.quarantine_db})",
        *_file_lines(getattr(outcome, "files", [])),
    ]
    for note in getattr(outcome, "skipped", []):
        lines.append(f"  übersprungen: {note}")
    for check in outcome.failed_checks:
        lines.append(f"  FEHLGESCHLAGENE PRÜFUNG: {check}")
    for step in outcome.failed_steps:
        lines.append(f"  FEHLGESCHLAGENER SCHRITT: {step}")
    lines.append(f"  Warehouse:   {paths.warehouse_db}")
    if paths.publish_db.exists():
        lines.append(f"  Veröffentl.: {paths.publish_db}")
    reports = (
        sorted(paths.reports_dir.glob("sozialbericht_*.html")) if paths.reports_dir.exists() else []
    )
    if reports:
        lines.append(f"  Bericht:     {reports[-1]}")
        if reports[-1].with_suffix(".pdf").exists():
            lines.append(f"  PDF:         {reports[-1].with_suffix('.pdf')}")
    lines.append(f"  Protokoll:   Tabelle audit.loads; Dagster-Läufe in {paths.dagster_home}")
    click.echo("\n".join(lines))


def _file_lines(entries, shown: int = 30) -> list[str]:
    """Every file of the landing folder by outcome; refused files and non-deliveries in full."""
    groups = {
        "geladen": ("geladen", "ersetzt"), "unverändert": ("unveraendert",),
        "abgewiesen": ("abgewiesen",), "keine Lieferung": ("keine_lieferung",),
        "nicht verarbeitet": ("nicht_verarbeitet",),
    }  # fmt: skip
    lines = [f"  Eingangsordner: {len(entries)} Dateien (jede in Tabelle audit.eingang)"]
    for label, statuses in groups.items():
        mine = [e for e in entries if e.status in statuses]
        if not mine and label not in ("abgewiesen",):
            continue
        lines.append(f"    {label + ':':<19}{len(mine)} Dateien")
        full = label in ("abgewiesen", "keine Lieferung", "nicht verarbeitet")
        for e in mine if full else mine[:shown]:
            if label == "geladen" or label == "unverändert":
                lines.append(f"       {e.relpath}")
                continue
            text = f"       - {e.relpath}: {e.reason}: {e.message}"
            if e.resembles:
                text += f" (ähnelt {e.resembles})"
            lines.append(text)
        if not full and len(mine) > shown:
            lines.append(f"       ... und {len(mine) - shown} weitere")
    return lines


@main.command("schluessel-wechseln", options_metavar=OPTIONS)
@click.option(
    "--landing",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    required=True,
    help="Eingangsordner mit den Lieferungen, aus denen die gespeicherten Personenzeilen stammen",
)
@click.option(
    "--warehouse",
    type=click.Path(path_type=Path, exists=True),
    required=True,
    help="Ordner des Warehouse, dessen Pseudonyme neu berechnet werden",
)
@WAIT_OPTION
def schluessel_wechseln(landing: Path, warehouse: Path, wait: float) -> None:
    """Wechselt den Pseudonymisierungsschlüssel und berechnet alle Pseudonyme neu.

    Bisheriger Schlüssel in SOZIALMONITOR_PSEUDONYM_KEY, neuer in
    SOZIALMONITOR_PSEUDONYM_KEY_NEU. Die Lieferungen, aus denen die gespeicherten
    Personenzeilen stammen, müssen im Eingangsordner liegen.
    """
    from pipelines.defs.plan import forget_build
    from pipelines.protection.keys import NEW_KEY_ENV, RotationRefused, rotate_key
    from pipelines.protection.pseudonym import MissingKeyError, key_from_env
    from pipelines.warehouse.files import WarehousePaths
    from pipelines.warehouse.lock import WarehouseBusy, writer_lock

    paths = WarehousePaths(warehouse)
    try:
        old, new = key_from_env(), key_from_env(NEW_KEY_ENV)
        if not paths.warehouse_db.exists():
            raise RotationRefused(f"Kein Warehouse in {warehouse} (warehouse.duckdb fehlt).")
        with writer_lock(paths.lock_file, wait):
            done = rotate_key(landing, paths.warehouse_db, paths.quarantine_db, old, new)
            # marts and publish are rebuilt by the next run (their aggregates stay the same)
            forget_build(paths)
    except (MissingKeyError, RotationRefused, WarehouseBusy) as exc:
        click.echo(f"Abbruch: {exc}", err=True)
        sys.exit(1)
    click.echo(
        f"Schlüssel gewechselt: {_fmt_int(done.pseudonyms)} Pseudonyme neu berechnet in "
        f"{len(done.tables)} Spalten ({', '.join(done.tables)}), {done.quarantine_rows} "
        f"Quarantänezeilen. Ab jetzt {KEY_ENV} auf den neuen Schlüssel setzen "
        f"({NEW_KEY_ENV} danach entfernen)."
    )


@main.command(options_metavar=OPTIONS)
@click.argument("indikator")
@click.argument("gebiet")
@click.argument("periode")
@click.option(
    "--warehouse",
    type=click.Path(path_type=Path),
    default=Path("demo/warehouse"),
    show_default=True,
    help="Ordner des Warehouse",
)
@click.option(
    "--tabelle",
    type=click.Choice(
        [
            "indikatoren",
            "controlling",
            "controlling_haushalt",
            "controlling_zerlegung",
            "controlling_kennzahlen",
            "kontrakte",
            "wirkungsanalyse",
            "zielueberpruefung",
            "sozialindex",
            "zielerreichung",
            "bevoelkerungsprognose",
            "bedarfsplanung",
        ]
    ),
    help="veröffentlichte Tabelle der Zahl (Vorgabe: aus INDIKATOR erschlossen)",
)
def explain(
    indikator: str, gebiet: str, periode: str, warehouse: Path, tabelle: str | None
) -> None:
    """Woher eine Zahl kommt: Formel, Werte, gelieferte Dateien, Modellkette, und warum sie
    gesperrt (`*`), nicht veröffentlicht (`.`) oder nur eingegrenzt (`/`) ist.

    \b
    INDIKATOR  Kennung des Indikatorkatalogs, eine Kennzahl des Controllings, eine
               Spalte der Controlling-Tabellen (plan, ausfuehrungsquote, mengeneffekt,
               kosten_je_fall, ...), der Tabelle kontrakte (ist, kosten_je_einheit,
               status, ...) oder sozialindex
    GEBIET     Gebietsschlüssel (Controlling: Produkt, Bereich, gesamt oder Gebiet;
               kontrakte: Maßnahme, z. B. M-01 oder M-01:teilnehmende;
               Prognose, Bedarfsplanung: GEBIET:GRUPPE[:VARIANTE[:BASISJAHR]] mit
               Altersgruppe wie 0-2 oder Einrichtungsart wie kita_u3)
    PERIODE    Stichtag JJJJ-MM-TT oder TT.MM.JJJJ (Controlling, Ziele: das Jahr)

    \b
    Beispiele:
      sozialmonitor explain sgb2_quote 010201 2024-12-31
      sozialmonitor explain budget_ausschoepfung 31.2.01 2024
      sozialmonitor explain hze_kosten_je_fall 00 2024 --tabelle controlling
      sozialmonitor explain kosten_je_einheit M-01:teilnehmende 2024
      sozialmonitor explain differenz_in_differenzen M-05 2024 --tabelle wirkungsanalyse
      sozialmonitor explain status M-01:teilnehmende 2025 --tabelle zielueberpruefung
      sozialmonitor explain mengeneffekt sgb8_hze 2024
      sozialmonitor explain ausfuehrungsquote 31.2.01 2024 --tabelle controlling_haushalt
      sozialmonitor explain sozialindex 010101 2024-12-31
      sozialmonitor explain sgb2_kinderarmut 00 2024 --tabelle zielerreichung
      sozialmonitor explain einwohner 0101:0-2:mitte 2030
      sozialmonitor explain platzsaldo 010101:kita_u3:oben 2030
    """
    from pipelines.lineage.explain import ExplainError, explain_text

    try:
        click.echo(explain_text(warehouse, indikator, gebiet, periode, tabelle))
    except ExplainError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)


@main.command(options_metavar=OPTIONS)
@click.option(
    "--scale",
    type=click.Choice(["small", "city", "berlin"]),
    default="city",
    show_default=True,
    help="Größe der synthetischen Stadt",
)
@click.option(
    "--dir",
    "base",
    type=click.Path(path_type=Path),
    default=Path("demo"),
    show_default=True,
    help="Ordner für Eingangsordner und Warehouse der Demo",
)
@SEED_OPTION
@click.option(
    "--real",
    type=click.Choice(["berlin", "hamburg"]),
    help="statt der synthetischen Stadt echte veröffentlichte Daten (über Quellprofile)",
)
def demo(scale: str, base: Path, seed: int, real: str | None) -> None:
    """Erzeugt eine synthetische Stadt, lässt die ganze Pipeline laufen und zeigt, wo alles liegt."""
    base.mkdir(parents=True, exist_ok=True)
    if real:
        from pipelines.profiles import city_config, real_landing

        landing = real_landing(real, base / f"landing_{real}")
        code = _run(landing, base / f"warehouse_{real}", city_config(real))
        sys.exit(0 if code == 3 else code)
    landing, warehouse = base / "landing", base / "warehouse"
    key_file = base / ".pseudonym_key"
    if not os.environ.get(KEY_ENV):
        if not key_file.exists():
            # created owner-only from the first byte (no window where others could read it)
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(secrets.token_hex(32))
        os.environ[KEY_ENV] = key_file.read_text(encoding="utf-8").strip()
        click.echo(f"Demo: lokaler Pseudonymisierungsschlüssel in {key_file} (nur für die Demo).")
    if not (landing / "manifest.json").exists():
        click.echo(f"Erzeuge synthetische Stadt ({scale}) in {landing} ...")
        _generate(scale, landing, seed, True)
    code = _run(landing, warehouse, None)
    if code == 3:
        click.echo(
            "Hinweis: die abgewiesenen Dateien sind absichtlich fehlerhaft (siehe manifest.json)."
        )
        code = 0
    if code == 0:
        click.echo(next_steps(warehouse, landing))
    sys.exit(code)


def next_steps(warehouse: Path, landing: Path) -> str:
    """What to do after the demo: open the report, the UI, trace a figure."""
    from pipelines.warehouse.files import WarehousePaths

    paths = WarehousePaths(warehouse)
    lines = ["", "Wie weiter:"]
    reports = sorted(paths.reports_dir.glob("sozialbericht_*.html"))
    if reports:
        lines.append(f"  Bericht öffnen:       {reports[-1].resolve().as_uri()}")
    atlas = paths.root / "atlas" / "index.html"
    if atlas.exists():
        lines.append(f"  Sozialatlas öffnen:   {atlas.resolve().as_uri()}")
    lines.append(
        f"  BI-Werkzeuge:         {paths.publish_db} (nur lesend öffnen), "
        f"{paths.parquet_dir}/, {paths.excel_dir}/"
    )
    lines.append("  Dagster-Oberfläche:   make ui  (http://127.0.0.1:3000; Sensor und Zeitpläne")
    lines.append("                        sind ausgeschaltet: unter Automation einschalten)")
    example = _explain_example(paths)
    if example:
        lines.append(
            f"  Herkunft einer Zahl:  sozialmonitor explain {example} --warehouse {warehouse}"
        )
    return "\n".join(lines)


def _explain_example(paths) -> str | None:
    """`sgb2_quote <city> <latest 31.12.>` as it exists in this warehouse."""
    import duckdb

    if not paths.publish_db.exists():
        return None
    con = duckdb.connect(str(paths.publish_db), read_only=True)
    try:
        row = con.execute(
            "select indikator_id, gebiet_id, max(periode) from indikatoren "
            "where ebene_rang = 0 "
            "and month(periode) = 12 and day(periode) = 31 "
            "group by indikator_id, gebiet_id order by indikator_id <> 'sgb2_quote', indikator_id limit 1"
        ).fetchone()
    finally:
        con.close()
    return f"{row[0]} {row[1]} {row[2]:%Y-%m-%d}" if row else None


@main.command(options_metavar=OPTIONS)
@click.option(
    "--warehouse",
    type=click.Path(path_type=Path),
    default=Path("demo/warehouse"),
    show_default=True,
    help="Ordner des Warehouse",
)
@click.option(
    "--landing",
    type=click.Path(path_type=Path),
    default=Path("demo/landing"),
    show_default=True,
    help="Eingangsordner, den der Sensor beobachtet",
)
@click.option(
    "--port", type=int, default=3000, show_default=True, metavar="PORT", help="Port auf 127.0.0.1"
)
def ui(warehouse: Path, landing: Path, port: int) -> None:
    """Startet die Dagster-Oberfläche für dieses Projekt auf localhost."""
    import subprocess

    from pipelines.runner import prepare_dagster_home, set_environment
    from pipelines.warehouse.files import WarehousePaths

    paths = WarehousePaths(warehouse).ensure()
    set_environment(landing, paths, None)
    prepare_dagster_home(paths)
    cmd = [
        sys.executable,
        "-m",
        "dagster",
        "dev",
        "-m",
        "pipelines.definitions",
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
    ]
    click.echo(f"Dagster-Oberfläche: http://127.0.0.1:{port}  (Strg+C beendet)")
    sys.exit(subprocess.call(cmd))


if __name__ == "__main__":
    main()
