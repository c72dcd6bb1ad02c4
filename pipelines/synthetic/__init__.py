"""The synthetic city: a complete, deterministic landing folder with known defects.

from pipelines.synthetic import generate, SCALES
manifest = generate(out_dir, scale="small", seed=1, defects=True, progress=None)
"""

from .generator import generate
from .scales import SCALES, Scale

__all__ = ["SCALES", "Scale", "generate"]
