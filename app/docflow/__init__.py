"""Document workflows: documents that are not periodic forms (a normative document filed for
record, an information item) declare themselves here and share one engine.

A module declares a DocKind (spec.py): its model, states, steps (who may take each: the
submitting unit or the office, which reason it needs, what it does), its permission name, and
its deadline rules. engine.apply is the one write path of every step: role, organisation scope
(app.scope), version and state are checked, the step's effect runs, a DocTransition row and an
audit entry (app.audit) are written, and the unit is told through a notice (app.notices) when
the step says so. files.py keeps uploads in the database, checked by app.notices.attachments;
timing.py reuses the filing engine's timeliness rule for deadlines.
"""

from .engine import apply, available_steps, create, history, may
from .spec import OFFICE, STAY, UNIT, DocKind, Step, declare, kind_of

__all__ = ["DocKind", "Step", "OFFICE", "STAY", "UNIT", "apply", "available_steps", "create", "declare", "history",
           "kind_of", "may"]
