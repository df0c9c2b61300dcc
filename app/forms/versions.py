"""Form versions: a form's fields change with the law from a period on.

A version is a FormSpec with `version` and `valid_from` (the first period filed under it). A
filing uses the version in force for its period; so do its web form, template, import, API
schema and rules. All versions of a form share one value table (the union of their columns),
so a new version is a declaration plus a migration adding its columns.

Figures of an older version are read in a newer version's terms through the newer version's
declared `mapping` (new field ← old fields, summed; a field of the same name reads itself).
A field no older column maps to was *not collected before*: it reads as None (shown "—"),
never as 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..filing.periods import Period
from .base import Field, FormSpec


def start_of(spec: FormSpec) -> dt.date:
    """The first day a version is in force (date.min for a form's first version)."""
    return Period.parse(spec.valid_from).start if spec.valid_from else dt.date.min


def as_period(period: Period | str) -> Period:
    return period if isinstance(period, Period) else Period.parse(period)


def order_versions(specs: Iterable[FormSpec]) -> dict[str, list[FormSpec]]:
    """{code: versions oldest first}; checks that the versions of a form fit together."""
    out: dict[str, list[FormSpec]] = {}
    for spec in specs:
        out.setdefault(spec.code, []).append(spec)
    for code, versions in out.items():
        versions.sort(key=start_of)
        if len(versions) > 1 and (versions[0].valid_from or not all(v.version for v in versions)):
            raise ValueError(f"form {code}: every version needs a name; only the first starts at the beginning")
        kinds: dict[str, str] = {}
        for v in versions:
            if v.period_kind != versions[0].period_kind:
                raise ValueError(f"form {code}: versions differ in period kind")
            if v.valid_from and as_period(v.valid_from).kind != v.period_kind:
                raise ValueError(f"form {code} {v.version}: valid_from is not a {v.period_kind} period")
            for f in v.fields:  # one column per name: its kind cannot change between versions
                if kinds.setdefault(f.name, f.kind) != f.kind:
                    raise ValueError(f"form {code}: field {f.name} changes kind between versions")
        for older, newer in zip(versions, versions[1:], strict=False):
            for new, olds in newer.mapping.items():
                if not newer.has_field(new) or not all(older.has_field(o) for o in olds):
                    raise ValueError(f"form {code} {newer.version}: mapping {new} ← {olds} names unknown fields")
    return out


def version_at(versions: Sequence[FormSpec], period: Period | str) -> FormSpec:
    """The version in force for `period`."""
    day = as_period(period).start
    found = versions[0]
    for v in versions:
        if start_of(v) <= day:
            found = v
    return found


def versions_between(versions: Sequence[FormSpec], first: Period, last: Period) -> list[FormSpec]:
    """The versions in force for some part of [first, last], oldest first."""
    lo = version_at(versions, _native(versions[0], first.start))
    hi = version_at(versions, _native(versions[0], last.end))
    return list(versions[versions.index(lo): versions.index(hi) + 1])


def _native(spec: FormSpec, day: dt.date) -> Period:
    from ..filing.periods import period_of

    return period_of(spec.period_kind, day)


def all_fields(versions: Sequence[FormSpec]) -> list[Field]:
    """Every field of every version, once, newest declaration first in order: the value table."""
    seen: dict[str, Field] = {}
    for v in reversed(versions):
        for f in v.fields:
            seen.setdefault(f.name, f)
    return list(seen.values())


def sources(versions: Sequence[FormSpec], target: FormSpec, older: FormSpec) -> dict[str, tuple[str, ...] | None]:
    """{target field: the older version's columns whose sum it reads, or None: not collected}."""
    out: dict[str, tuple[str, ...] | None] = {f.name: (f.name,) for f in target.fields}
    chain = list(versions[versions.index(older): versions.index(target) + 1])
    for prev, newer in reversed(list(zip(chain, chain[1:], strict=False))):
        for name, cols in out.items():
            if cols is None:
                continue
            mapped: list[str] = []
            for c in cols:
                step = newer.mapping.get(c) or ((c,) if prev.has_field(c) else None)
                if step is None:
                    mapped = None
                    break
                mapped.extend(step)
            out[name] = tuple(mapped) if mapped is not None else None
    return out


def translate(versions: Sequence[FormSpec], values: Mapping[str, Any], source: FormSpec,
              target: FormSpec) -> dict[str, Any]:
    """Figures filed under `source` read as `target`'s fields (target newer or the same)."""
    if source is target or versions.index(source) > versions.index(target):
        return {f.name: values.get(f.name) for f in target.fields}
    out = {}
    for name, cols in sources(versions, target, source).items():
        parts = None if cols is None else [values.get(c) for c in cols]
        # One source column is read as it is (a text or a choice is never "summed").
        out[name] = None if parts is None or any(p is None for p in parts) else (
            parts[0] if len(parts) == 1 else sum(parts))
    return out


def not_collected(versions: Sequence[FormSpec], target: FormSpec, older: FormSpec) -> list[str]:
    """The target version's fields the older version did not collect."""
    return [n for n, cols in sources(versions, target, older).items() if cols is None]
