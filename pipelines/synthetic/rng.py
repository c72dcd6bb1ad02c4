"""Independent, reproducible random streams per component.

Every component draws from its own stream derived from (seed, name), so adding draws in
one component never shifts the numbers of another one.
"""

from __future__ import annotations

import zlib

import numpy as np


def rng_for(seed: int, *names: str) -> np.random.Generator:
    keys = [zlib.crc32(n.encode("utf-8")) for n in names]
    return np.random.default_rng([seed, *keys])
