"""Where a figure came from: formula, values, delivered files, model chain."""

# the explanations of the controlling tables register themselves with `explain`
from pipelines.lineage import controlling as _controlling  # noqa: F401
