"""The recipe: defaults = MSS, config block of the city YAML, clear German errors."""

import dataclasses

import pytest
import yaml

from pipelines.sozialindex import Recipe, RezeptFehler, recipe_from_config

# the block as documented in docs/indicators.md
CONFIG_BLOCK = """
sozialindex:
  min_einwohner: 300
  ausschluss: [ "10100205" ]          # explicit exclusions (outliers)
  status:   [ sgb2_alo_anteil, transferbezug, sgb2_kinderarmut ]
  dynamik_jahre: 2
  klassen_status:  { hoch: -1.0, niedrig: 1.0, sehr_niedrig: 1.5 }
  klassen_dynamik: { positiv: -1.0, negativ: 1.0 }
"""


def test_defaults_are_the_mss_method():
    recipe = Recipe()
    assert recipe.min_einwohner == 300
    assert recipe.ausschluss == ()
    assert recipe.status == ("sgb2_alo_anteil", "transferbezug", "sgb2_kinderarmut")
    assert recipe.dynamik == (
        "sgb2_alo_anteil_dynamik",
        "transferbezug_dynamik",
        "sgb2_kinderarmut_dynamik",
    )
    assert recipe.dynamik_jahre == 2
    assert dict(recipe.klassen_status) == {"hoch": -1.0, "niedrig": 1.0, "sehr_niedrig": 1.5}
    assert dict(recipe.klassen_dynamik) == {"positiv": -1.0, "negativ": 1.0}
    assert recipe.z_nachkommastellen is None


def test_config_block_of_the_docs():
    recipe = recipe_from_config(yaml.safe_load(CONFIG_BLOCK)["sozialindex"])
    assert recipe == Recipe(ausschluss=("10100205",))
    assert isinstance(recipe.ausschluss, tuple)


def test_missing_and_empty_keys_take_defaults():
    assert recipe_from_config(None) == Recipe()
    assert recipe_from_config({}) == Recipe()
    assert recipe_from_config(yaml.safe_load("ausschluss:\nmin_einwohner: 500")) == Recipe(
        min_einwohner=500
    )


def test_recipe_is_immutable_and_hashable():
    recipe = recipe_from_config({"klassen_status": {"hoch": -2, "niedrig": 1, "sehr_niedrig": 2}})
    with pytest.raises(dataclasses.FrozenInstanceError):
        recipe.min_einwohner = 1
    with pytest.raises(TypeError):
        recipe.klassen_status["hoch"] = 0.0
    assert hash(recipe) == hash(
        Recipe(klassen_status={"hoch": -2.0, "niedrig": 1.0, "sehr_niedrig": 2.0})
    )
    assert recipe.klassen_status["hoch"] == -2.0


@pytest.mark.parametrize(
    ("cfg", "message"),
    [
        ({"min_einwohnr": 300}, "unbekannte Schlüssel min_einwohnr"),
        ({"klassen_status": {"hoch": -1, "niedrig": 1, "sehr_hoch": 2}}, "unbekannte Schlüssel"),
        ({"klassen_status": {"hoch": -1, "niedrig": 1}}, "es fehlen die Schlüssel sehr_niedrig"),
        ({"klassen_status": {"hoch": 1, "niedrig": -1, "sehr_niedrig": 2}}, "aufsteigend"),
        ({"klassen_dynamik": {"positiv": 1, "negativ": -1}}, "aufsteigend"),
        ({"klassen_dynamik": {"positiv": "-1", "negativ": 1}}, "muss eine Zahl sein"),
        ({"ausschluss": [1011101]}, "Anführungszeichen"),
        ({"ausschluss": "10100205"}, "Liste von Gebietsschlüsseln"),
        ({"ausschluss": ["1", "1"]}, "doppelt"),
        ({"status": []}, "nicht leere Liste"),
        ({"status": ["a", "a"]}, "doppelt"),
        ({"min_einwohner": -1}, "min_einwohner"),
        ({"min_einwohner": True}, "min_einwohner"),
        ({"dynamik_jahre": 0}, "dynamik_jahre"),
        ({"z_nachkommastellen": 16}, "z_nachkommastellen"),
    ],
)
def test_invalid_config_gives_a_german_error(cfg, message):
    with pytest.raises(RezeptFehler, match=message):
        recipe_from_config(cfg)


def test_unquoted_area_key_in_yaml_is_refused():
    # YAML 1.1 reads 01011101 as an (octal) number: the key would silently be wrong
    with pytest.raises(RezeptFehler, match="Anführungszeichen"):
        recipe_from_config(yaml.safe_load("ausschluss: [01011101]"))


def test_block_must_be_a_mapping():
    with pytest.raises(RezeptFehler, match="Zuordnung"):
        recipe_from_config(["min_einwohner", 300])
