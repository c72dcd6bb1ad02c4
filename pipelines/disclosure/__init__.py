"""Disclosure control for the publish zone (docs/protection.md), pure functions over polars.

Input model
-----------
``cells``: one row per COUNT cell (tabelle, merkmal, periode, gebiet_id), unique.

=============  ==========  =====================================================
column         type        meaning
=============  ==========  =====================================================
tabelle        str         published table, e.g. ``sgb2``; the unit of identities
merkmal        str         measure, e.g. ``rlb``
periode        any         reference date (kept with its dtype, compared as is)
gebiet_id      str         area key, must be in the hierarchy
wert           int | null  true count (>= 0); null only with a source symbol
quell_symbol   str | null  BA symbol from the source: null (a number), ``-``
                           (0), ``*`` (withheld at source, assumed in
                           [quelle_stern_min, quelle_stern_max] = [1, 2]),
                           ``.`` / ``x`` (unknown, any value >= 0)
quell_unter-   num | null  optional: the bounds of this source ``*`` where the
grenze, quell_             delivery bounds it itself (below the BA's total row a
obergrenze                 ``*`` may be a secondary suppression above 2); null:
                           the config's range
=============  ==========  =====================================================

For every (tabelle, merkmal, periode) present, every *finest* area (leaf) of
the hierarchy must have a cell. Cells of coarser areas are optional: a missing
one is derived from its children (an interval when a child is unknown); a given
one is taken as the true value and must agree with its children.

``hierarchy``: (gebiet_id, parent_id, ebene, ebene_rang), one row per area of
one valid layout, parent_id null for a root; any depth, several roots allowed,
keys arbitrary strings. Children sum to their parent for every measure.

``identities``: ``Identity(tabelle, summe, teile)``, e.g.
``Identity.parse("sgb2", "rlb = elb + nef")``; holds in every area and period
of that table where all its cells exist. The inputs must satisfy hierarchy and
identities (or apply_disclosure raises ValueError).

One *system* is one (tabelle, periode): its unknowns are linked by hierarchy
equations (per merkmal) and identity equations (per gebiet); no equations
cross tables or periods.

Output
------
``apply_disclosure`` returns ``DisclosureResult(cells, log)``.

``cells``: (tabelle, merkmal, periode, gebiet_id, ebene, wert, symbol,
untergrenze, obergrenze, unsicher) for every area of the hierarchy:

- a number >= min_fallzahl: ``wert``, symbol null;
- 0: ``wert`` 0, symbol ``-``;
- withheld: ``wert`` null, symbol ``*`` (primary 1..min_fallzahl-1, source
  ``*``, or secondary); zeros are never withheld, so every ``*`` is >= 1;
- unknown at source (or an aggregate over such a cell): symbol ``.``/``x``;
- an aggregate over source-``*`` cells whose bounds start at >= min_fallzahl:
  ``wert`` null, symbol ``/``, ``untergrenze``/``obergrenze`` set, ``unsicher``
  true (Am Bach: Stadtteil 0201 ``rlb`` in [59, 60]). If its lower bound is
  below min_fallzahl it is withheld as ``*`` instead.

``log``: one row per cell without an exact published value: (tabelle, merkmal,
periode, gebiet_id, regel, ausgeloest_durch), never the value. regel:
``primaer``, ``quelle`` (source ``*``/``.``/``x`` and the ``/``/``.``
aggregates above them; ausgeloest_durch lists the source cells),
``sekundaer_hierarchie``, ``sekundaer_identitaet`` (ausgeloest_durch is the
cell it protects, ``merkmal:gebiet_id``). ``publish_rates`` adds
``einwohner_unter_min``, ``zaehler_gesperrt``, ``nenner_gesperrt``,
``nenner_fehlt`` (tabelle ``indikatoren``, merkmal = indikator_id).

Secondary suppression
---------------------
Per system, repeated to a fixed point: (1) the classic rule: an equation whose
only hidden cell is a ``*`` gets a second hidden cell, the smallest publishable
part (child / summand), else its total; (2) the attacker of ``attack`` runs on
the current state; every ``*`` it can pin (or cannot decide within its search
budget) gets a partner: the smallest publishable cell in an equation through
it, or, if none, in the nearest equation reachable over hidden cells. Each
round hides at least one more cell, so it ends; a system with every non-zero
cell hidden is safe (scaling a solution gives another), so it ends safe.

Attacker model: only what is published (numbers, ``-``, ``/`` bounds; ``*``
is known to be >= 1). The log says which ``*`` are primary; it is for the
planning unit and auditors, never published: with it an outsider could pin
cells no suppression pattern can protect (a primary parent of two primary
children must be 2 = 1 + 1).

Determinism: output rows are sorted; all choices break ties by (role, value,
merkmal, gebiet_id); no randomness, no dict-order dependence.
"""

from pipelines.disclosure.attack import attack
from pipelines.disclosure.config import DisclosureConfig
from pipelines.disclosure.model import Identity
from pipelines.disclosure.rates import RateSpec, publish_rates
from pipelines.disclosure.suppress import DisclosureResult, apply_disclosure

__all__ = [
    "DisclosureConfig",
    "DisclosureResult",
    "Identity",
    "RateSpec",
    "apply_disclosure",
    "attack",
    "publish_rates",
]
