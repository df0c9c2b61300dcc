"""A document kind's declaration: states, steps and who may take them, deadlines."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

STAY = ""  # a step's target when it changes fields, not the state (edit, 清理, 领导批示)
UNIT, OFFICE = "unit", "office"  # who takes a step: the submitting unit, or the municipal office
CAPABILITY = {UNIT: "can_fill", OFFICE: "can_review"}  # the FAB permission on the kind's view name


@dataclass(frozen=True)
class Step:
    """One allowed move from any of `sources` to `target` (or, when the effect chooses, one of
    `targets`), taken by `actor`. `effect(doc, data, user)` validates the step's own fields and
    writes them on the document (raising Invalid, nothing written); it returns the target
    when the step has several. `notify` tells the unit through a notice."""

    name: str
    label: str
    sources: frozenset[str]
    target: str
    actor: str
    reason: str | None = None          # label of a required reason, e.g. "不予登记理由"
    effect: Callable | None = None
    targets: frozenset[str] = frozenset()
    notify: bool = False
    style: str = "primary"


@dataclass
class DocKind:
    """A document kind: `model` rows have unit_id, state, version, author, created/updated_at."""

    code: str
    label: str
    model: type
    view: str                           # FAB permission view name: can_read / can_fill / can_review
    states: dict[str, str]
    steps: dict[str, Step] = field(default_factory=dict)
    url: Callable | None = None          # doc → the page of the document (for notices)
    title_of: Callable = lambda doc: doc.title

    def state_label(self, state: str | None) -> str:
        return self.states.get(state, state or "")


KINDS: dict[str, DocKind] = {}


def declare(kind: DocKind, *steps: Step) -> DocKind:
    """Register a document kind with its steps (each target a declared state)."""
    for step in steps:
        for state in {step.target, *step.sources, *step.targets} - {STAY}:
            assert state in kind.states, (kind.code, step.name, state)
        kind.steps[step.name] = step
    KINDS[kind.code] = kind
    return kind


def kind_of(code: str) -> DocKind:
    return KINDS[code]
