"""Where a figure came from: formula, values, delivered files, model chain."""

# the explanations of further tables register themselves with `explain`; kontrakte first:
# it claims a column (`ist`, `status`, ...) only for the key of a measure
from pipelines.lineage import kontrakte as _kontrakte  # noqa: F401, I001

# the projected figures claim a column only for a key GEBIET:GRUPPE
from pipelines.lineage import prognose as _prognose  # noqa: F401
from pipelines.lineage import controlling as _controlling  # noqa: F401
