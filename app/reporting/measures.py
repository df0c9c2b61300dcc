"""What the statistics layer can sum for a form, read from its declaration.

Every numeric field is a measure (summed); every choice field gives one measure per choice
(the number of filings with that answer); text fields are not aggregated. Fields a form
carries over from the previous period are *stocks*: rolled up over several periods they take
the opening value of the first period (``carry_over`` keys, e.g. 上期结转) or the closing value
of the last one (``carry_over`` values, e.g. 未审结) instead of a sum.

Derived figures (rates, combined amounts) are never summed: they are computed from the summed
parts, see :func:`derived`.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..forms.base import CHOICE, COUNT, MONEY, FormSpec, Rate

SUM, OPENING, CLOSING, CHOICE_COUNT = "sum", "opening", "closing", "choice"
RATE = "rate"


@dataclass(frozen=True)
class Measure:
    """One aggregated column: `name` in results, `column` in the value table."""

    name: str
    label: str
    group: str
    kind: str  # count | money (the display kind)
    how: str = SUM  # sum | opening | closing | choice
    column: str = ""
    choice: str = ""


@dataclass(frozen=True)
class Combined:
    """A figure computed from summed parts, e.g. 罚没收入 = fines + confiscated gains."""

    name: str
    label: str
    parts: tuple[str, ...]
    kind: str = COUNT

    def compute(self, values) -> int | None:
        parts = [values.get(p) for p in self.parts]
        if all(v is None for v in parts):
            return None
        return sum(v for v in parts if v is not None)


_CACHE: dict[tuple[str, str, str], object] = {}


def _cached(kind: str, spec: FormSpec, build):
    key = (kind, spec.code, spec.version)
    if key not in _CACHE:
        _CACHE[key] = build(spec)
    return _CACHE[key]


def measures(spec: FormSpec) -> list[Measure]:
    """The form's aggregated columns, in declaration order."""
    return _cached("measures", spec, _measures)


def _measures(spec: FormSpec) -> list[Measure]:
    opening, closing = set(spec.carry_over), set(spec.carry_over.values())
    out: list[Measure] = []
    for f in spec.fields:
        if f.kind in (COUNT, MONEY):
            how = OPENING if f.name in opening else CLOSING if f.name in closing else SUM
            out.append(Measure(f.name, f.label, f.group, f.kind, how, f.name))
        elif f.kind == CHOICE:
            for key, label in f.choices:
                out.append(Measure(f"{f.name}__{key}", f"{f.label}：{label}", f.group, COUNT,
                                   CHOICE_COUNT, f.name, key))
    return out


def has_stocks(spec: FormSpec) -> bool:
    return bool(spec.carry_over)


# Figures the reports, dashboard and analysis add to a form's own rates. A form without an
# entry simply has none; nothing else needs to change when a form is added.
COMBINED: dict[str, list[Combined]] = {
    # 罚没收入 = fines + confiscated illegal gains; the value of confiscated property is shown
    # apart (its own column), never added in.
    "penalty": [Combined("amount_total", _l("罚没收入（罚款＋没收违法所得）"),
                         ("amount_fines", "amount_gains"), MONEY)],
}


def combined(spec: FormSpec) -> list[Combined]:
    return COMBINED.get(spec.code, [])


def derived(spec: FormSpec) -> dict[str, Combined | Rate]:
    """Every figure computed from summed parts: combined amounts and the form's rates."""
    return _cached("derived", spec, _derived)


def _derived(spec: FormSpec) -> dict[str, Combined | Rate]:
    out: dict[str, Combined | Rate] = {c.name: c for c in combined(spec)}
    out.update({r.name: r for r in spec.rates})
    return out


def label_of(spec: FormSpec, name: str) -> str:
    """The Chinese label of a field, choice count, combined figure or rate."""
    for m in measures(spec):
        if m.name == name:
            return m.label
    item = derived(spec).get(name)
    if item is not None:
        return str(item.label)
    raise KeyError(name)


def kind_of(spec: FormSpec, name: str) -> str:
    """count, money or rate."""
    item = derived(spec).get(name)
    if isinstance(item, Rate):
        return RATE
    if item is not None:
        return item.kind
    for m in measures(spec):
        if m.name == name:
            return m.kind
    raise KeyError(name)


def known(spec: FormSpec, names) -> frozenset[str]:
    """Those of `names` that `spec` has (a field, a combined amount or a rate): a page listing
    the figures it draws for every version of a form asks only for what the version holds."""
    have = {m.name for m in measures(spec)} | set(derived(spec))
    return frozenset(n for n in names if n in have)


def needed(spec: FormSpec, names) -> list[Measure]:
    """The measures a set of figures needs (`names`: summed fields, choice counts, combined
    amounts, rates; the parts of a derived one as every version of the form defines it, since a
    bucket of an older version computes its rate by that version's definition), in declaration
    order — a page showing one figure sums its parts only, not every field of the form."""
    from ..forms import VERSIONS

    wanted: set[str] = set()
    versions = [v for v in VERSIONS.get(spec.code, [spec])] or [spec]
    for name in names:
        items = [derived(v).get(name) for v in versions + [spec]]
        items = [i for i in items if i is not None]
        if not items:
            wanted.add(name)
        for item in items:
            wanted.update(item.numerator + item.denominator if isinstance(item, Rate) else item.parts)
    found = [m for m in measures(spec) if m.name in wanted]
    unknown = {n for n in names if n not in derived(spec)} - {m.name for m in found}
    if unknown:
        raise KeyError(sorted(unknown)[0])
    return found
