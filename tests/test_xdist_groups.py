"""The session cities are built once per test run, not once per xdist worker."""

from __future__ import annotations

import pytest

from tests.conftest import CITY_GROUPS, city_group


def test_city_tests_carry_their_group_in_the_node_id(request):
    # the loadgroup scheduler reads the group only from the node id's `@group` suffix
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("nur unter pytest -n N --dist loadgroup (make test)")
    # by fixture name, so that a broken city_group cannot make this pass vacuously
    # (tests/synthetic's own small_city is the one legitimate exception)
    users = [
        item
        for item in request.session.items
        if set(CITY_GROUPS) & set(item.fixturenames) and item.path.parent.name != "synthetic"
    ]
    if not users:
        pytest.skip("keine Tests mit gebauter Stadt ausgewählt")
    missing = [i.nodeid for i in users if not i.nodeid.endswith(f"@{city_group(i)}")]
    assert not missing, f"{len(missing)} Tests ohne xdist-Gruppe, z. B. {missing[:3]}"


def test_synthetic_generation_only_is_not_pinned(request):
    from pathlib import Path

    items = [i for i in request.session.items if Path(str(i.path)).parent.name == "synthetic"]
    assert all(city_group(i) is None for i in items)
