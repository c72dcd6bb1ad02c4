"""City config and source profiles: validated before any file is read, YAML bombs refused."""

from __future__ import annotations

import shutil
import time

import pytest
from click.testing import CliRunner

from tests.conftest import EXAMPLES

# nine levels of nine aliases: 342 bytes that expand to 9^9 strings
BOMB = "".join(
    f"{b}: &{b} [" + ", ".join([f"*{a}"] * 9) + "]\n"
    for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)
BOMB = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + BOMB


@pytest.mark.parametrize(
    ("yaml_text", "says"),
    [
        ("offenlegung:\n  min_fallzahl: drei\n", "offenlegung.min_fallzahl = 'drei' ist ungültig"),
        ("offenlegung:\n  min_fallzahl: -5\n", "offenlegung.min_fallzahl = -5 ist ungültig"),
        ("offenlegung:\n  min_einwohner: 2.5\n", "offenlegung.min_einwohner = 2.5"),
        ("sozialindex:\n  status: [sgb2_quote, armut]\n", "Indikator-IDs des Katalogs"),
        ("indikatoren:\n  hze_paragraphen: ['27_2', '99']\n", "SGB-VIII-Hilfearten"),
        ("indikatoren:\n  sgb2_quote_nenner: alle\n", "unter_65 oder gesamt"),
        ("offenlegung:\n  min_fallzal: 3\n", "Unbekannter Schlüssel 'offenlegung.min_fallzal'"),
        ("indikatoren:\n  ba_stern_untergrenze: 3\n", "ba_stern_untergrenze <= ba_stern_obergrenze"),
        ("indikatoren:\n  alter_senioren_ab: 60\n", "sgb2_hoechstalter < alter_senioren_ab"),
        ("indikatoren:\n  inobhutnahme_paragraphen: []\n", "nicht leere Liste"),
        ("prognose:\n  kinder_mittel_gewicht: 2\n", "prognose.kinder_mittel_gewicht = 2"),
        ("prognose:\n  methode: komponenten\n", "auto, kohorten oder hamilton_perry"),
        ("bedarfseckwerte:\n  kita_u3: {zielwert: 0}\n", "bedarfseckwerte.kita_u3.zielwert = 0"),
        ("bedarfseckwerte:\n  kita_u3: {alter_von: 3, alter_bis: 2}\n", "nicht kleiner als alter_von"),
        ("bedarfseckwerte:\n  krippe: {zielwert: 5}\n", "bedarfseckwerte.krippe ist keine Einrichtungsart"),
        ("bedarfseckwerte:\n  kita_u3: {nachbarn_anteil: 1.5}\n", "bedarfseckwerte.kita_u3.nachbarn_anteil = 1.5"),
        (BOMB, "YAML-Verweise"),
        ("offenlegung: [\n", "kein gültiges YAML"),
    ],
    ids=["text", "negativ", "bruch", "indikator", "paragraph", "nenner", "tippfehler", "sternbereich", "altersfolge", "leere_liste", "prognosegewicht", "prognosemethode",
         "eckwert", "altersband", "einrichtungsart", "nachbarn_anteil", "bombe", "syntax"],
)  # fmt: skip
def test_bad_city_config_stops_run_in_seconds(tmp_path, yaml_text, says):
    from pipelines.cli import main

    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    shutil.copytree(EXAMPLES, landing)
    config = tmp_path / "stadt.yaml"
    config.write_text(yaml_text, encoding="utf-8")
    args = [
        "run",
        "--landing",
        str(landing),
        "--warehouse",
        str(warehouse),
        "--config",
        str(config),
    ]
    t0 = time.perf_counter()
    result = CliRunner().invoke(main, args, env={"CI": "1"})
    seconds = time.perf_counter() - t0
    assert result.exit_code == 1, result.output
    lines = [x for x in result.output.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("Abbruch: "), result.output
    assert says in lines[0] and "stadt.yaml" in lines[0], lines[0]
    assert "Traceback" not in result.output and "pydantic" not in result.output
    assert not (warehouse / "warehouse.duckdb").exists()  # nothing read, nothing written
    assert seconds < 20, seconds


def test_valid_configs_pass():
    from pipelines.config import load_config
    from pipelines.profiles import city_config

    for city in ("berlin", "hamburg"):
        assert load_config(city_config(city))["stadt"]["name"]
    assert load_config(None)["offenlegung"]["min_fallzahl"] == 3
    assert load_config(None)["bedarfseckwerte"]["kita_u3"] == {
        "alter_von": 0, "alter_bis": 2, "zielwert": 45, "je": 100, "planungsebene_hoeher": 0,
        "nachbarn_anteil": 0,
    }  # fmt: skip


def test_profile_alias_bomb_refused(tmp_path):
    from pipelines.profiles import ProfileError, load_profile

    path = tmp_path / "bombe.yaml"
    path.write_text(BOMB, encoding="utf-8")
    t0 = time.perf_counter()
    with pytest.raises(ProfileError, match="YAML-Verweise") as exc:
        load_profile(path)
    assert "bombe.yaml" in str(exc.value)
    assert time.perf_counter() - t0 < 5


def test_oversized_yaml_refused(tmp_path):
    from pipelines.config import ConfigError, load_config

    path = tmp_path / "gross.yaml"
    path.write_text("stadt:\n  name: " + "x" * (2 << 20) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="höchstens"):
        load_config(path)
