"""The form declaration: fields, column groups, validation rules and derived rates.

A form (penalty, reconsideration, …) is declared once as a FormSpec; the web form,
the Excel template and import, the API schema, the statistics layer and the charts
all read it. Parsing and rule checks live here so that every path meets the same code.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..money import MAX_FEN, MoneyError, format_yuan, parse_yuan, yuan_input

COUNT_MAX = 2_147_483_647  # the INTEGER column's range

COUNT, MONEY, TEXT, CHOICE = "count", "money", "text", "choice"
_INTEGER = re.compile(r"([+-]?)([0-9]+)", re.ASCII)


def bad_char(c: str) -> bool:
    """A character no text column should keep: controls (NUL, …) and lone surrogates."""
    return unicodedata.category(c) in ("Cc", "Cs")


@dataclass(frozen=True)
class Field:
    """One figure of a form. `name` is the column, `label` the official Chinese wording."""

    name: str
    label: str
    kind: str = COUNT
    group: str = ""
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()
    max_length: int = 100
    help: str = ""

    @property
    def numeric(self) -> bool:
        return self.kind in (COUNT, MONEY)

    @property
    def quoted(self) -> str:
        return f"「{self.label}」"

    def parse(self, raw: Any) -> tuple[Any, str | None]:
        """Turn one typed/imported value into the stored one, or a Chinese error naming the field."""
        if raw is None or (isinstance(raw, str) and raw.strip() == ""):
            if self.required:
                return None, f"{self.quoted}为必填项"
            return None, None
        if self.kind == COUNT:
            return self._parse_count(raw)
        if self.kind == MONEY:
            try:
                fen = parse_yuan(raw)
            except MoneyError:
                return None, f"{self.quoted}应为金额（元，最多两位小数），收到“{_show(raw)}”"
            if fen < 0:
                return None, f"{self.quoted}不能为负数"
            if fen > MAX_FEN:
                return None, f"{self.quoted}超出允许范围"
            return fen, None
        if not isinstance(raw, (str, int, float)) or isinstance(raw, bool):
            return None, f"{self.quoted}应为文本"
        text = str(raw).strip()
        if any(bad_char(c) for c in text):
            return None, f"{self.quoted}含有无效字符"
        if self.kind == CHOICE:
            keys = {k for k, _ in self.choices}
            labels = {v: k for k, v in self.choices}
            if text in keys:
                return text, None
            if text in labels:
                return labels[text], None
            allowed = "、".join(v for _, v in self.choices)
            return None, f"{self.quoted}应为以下之一：{allowed}"
        if len(text) > self.max_length:
            return None, f"{self.quoted}不能超过{self.max_length}个字"
        return text, None

    def _parse_count(self, raw: Any) -> tuple[int | None, str | None]:
        if isinstance(raw, bool):
            return None, f"{self.quoted}应为整数"
        if isinstance(raw, float):
            if not raw.is_integer():
                return None, f"{self.quoted}应为整数，收到“{_show(raw)}”"
            raw = int(raw)
        if isinstance(raw, int):
            value = raw
        else:
            text = str(raw).strip().replace(",", "")
            m = _INTEGER.fullmatch(text)
            if not m:
                return None, f"{self.quoted}应为整数，收到“{_show(raw)}”"
            digits = m.group(2).lstrip("0") or "0"
            # Never int() a huge digit string (slow, and Python refuses past 4300 digits).
            value = int(text) if len(digits) <= 12 else (-1 if m.group(1) == "-" else COUNT_MAX + 1)
        if value < 0:
            return None, f"{self.quoted}不能为负数"
        if value > COUNT_MAX:
            return None, f"{self.quoted}超出允许范围（最大 {COUNT_MAX}）"
        return value, None

    def display(self, value: Any) -> str:
        """The value as shown on a page."""
        if value is None:
            return "—"
        if self.kind == MONEY:
            return format_yuan(value)
        if self.kind == COUNT:
            return f"{value:,}"
        if self.kind == CHOICE:
            return dict(self.choices).get(value, value)
        return str(value)

    def input_value(self, value: Any) -> str:
        """The value as put back into an input box or a template cell."""
        if value is None:
            return ""
        if self.kind == MONEY:
            return yuan_input(value)
        return str(value)


def _show(raw: Any) -> str:
    try:
        text = str(raw)[:21]
    except ValueError:  # an int too long to print
        text = "…" * 21
    text = "".join("\ufffd" if bad_char(c) else c for c in text)
    return text if len(text) <= 20 else text[:20] + "…"


@dataclass(frozen=True)
class Issue:
    """A broken rule: the fields it concerns and the Chinese message."""

    fields: tuple[str, ...]
    message: str
    level: str = "error"  # or "warning": submitting then needs a written explanation


@dataclass(frozen=True)
class CheckContext:
    """What rules may look at beyond the values: the unit's history and pre-filled values."""

    history: Mapping[str, Sequence[int]] = field(default_factory=dict)
    prefill: Mapping[str, Any] = field(default_factory=dict)
    # The same unit's filed figures of other forms over this period: {form code: {field: sum}}
    # with the titles to name them ({form code: menu title}); only forms a CrossForm rule names.
    others: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    other_titles: Mapping[str, str] = field(default_factory=dict)
    unit: Any = None  # the filing's unit (its attributes, e.g. the penalty kinds it may impose)


class Rule:
    """A validation rule, declared as data on a form."""

    level = "error"

    def check(self, spec: FormSpec, values: Mapping[str, Any], ctx: CheckContext) -> list[Issue]:
        raise NotImplementedError


def _labels(spec: FormSpec, names: Sequence[str]) -> str:
    return "、".join(spec.field(n).quoted for n in names)


def _num(spec: FormSpec, name: str, value: int) -> str:
    return spec.field(name).display(value)


@dataclass(frozen=True)
class Balance(Rule):
    """result = sum(plus) − sum(minus); with only `plus` it is 'the parts sum to the total'.

    A negative expected value is not reported here: a figure cannot be negative, so the cause
    is a part larger than its whole, which a NotGreater rule names in the users' terms
    (审结 ≤ 上期结转 + 受理, not "「未审结」应等于 −69")."""

    result: str
    plus: tuple[str, ...]
    minus: tuple[str, ...] = ()

    def check(self, spec, values, ctx):
        names = (self.result, *self.plus, *self.minus)
        if any(values.get(n) is None for n in names):
            return []
        expected = sum(values[n] for n in self.plus) - sum(values[n] for n in self.minus)
        if values[self.result] == expected or expected < 0:
            return []
        if self.minus:
            formula = _labels(spec, self.plus) + "之和减去" + _labels(spec, self.minus)
        else:
            formula = _labels(spec, self.plus) + "之和"
        return [
            Issue(
                names,
                f"{spec.field(self.result).quoted}（{_num(spec, self.result, values[self.result])}）"
                f"应等于{formula}（{_num(spec, self.result, expected)}）",
            )
        ]


@dataclass(frozen=True)
class NotGreater(Rule):
    """part ≤ whole, e.g. hearings held ≤ hearings notified; `whole` may name several fields
    (审结 ≤ 上期结转 + 受理). As a warning (level="warning") it asks for an explanation instead."""

    part: str
    whole: str | tuple[str, ...]
    level: str = "error"

    def check(self, spec, values, ctx):
        wholes = (self.whole,) if isinstance(self.whole, str) else self.whole
        a, parts = values.get(self.part), [values.get(n) for n in wholes]
        if a is None or any(p is None for p in parts) or a <= sum(parts):
            return []
        b = sum(parts)
        if len(wholes) == 1:
            what = f"{spec.field(wholes[0]).quoted}（{_num(spec, wholes[0], b)}）"
        else:
            what = f"{_labels(spec, wholes).replace('、', '与')}之和（{_num(spec, wholes[0], b)}）"
        tail = "，请说明原因" if self.level == "warning" else ""
        return [Issue((self.part, *wholes), f"{spec.field(self.part).quoted}（{_num(spec, self.part, a)}）"
                                            f"不能大于{what}{tail}", self.level)]


@dataclass(frozen=True)
class NeedsCount(Rule):
    """An amount needs a case of its kind: 「罚款金额」> 0 with 「罚款」= 0 is an error."""

    amount: str
    count: str

    def check(self, spec, values, ctx):
        amount, count = values.get(self.amount), values.get(self.count)
        if not amount or count is None or count > 0:
            return []
        return [Issue((self.amount, self.count),
                      f"{spec.field(self.amount).quoted}为{_num(spec, self.amount, amount)}元，"
                      f"但{spec.field(self.count).quoted}为0：有金额就应有相应的件数")]


@dataclass(frozen=True)
class FarAbove(Rule):
    """Warning: `value` more than `factor` × `base` (结案 far above 立案), when base > 0 and the
    difference exceeds `slack` (small units vary)."""

    value: str
    base: str
    factor: int = 2
    slack: int = 10
    level = "warning"

    def check(self, spec, values, ctx):
        a, b = values.get(self.value), values.get(self.base)
        if a is None or b is None or a <= b * self.factor or a - b <= self.slack:
            return []
        return [Issue((self.value, self.base),
                      f"{spec.field(self.value).quoted}（{_num(spec, self.value, a)}）超过"
                      f"{spec.field(self.base).quoted}（{_num(spec, self.base, b)}）的{self.factor}倍，请说明原因",
                      "warning")]


@dataclass(frozen=True)
class CrossForm(Rule):
    """Warning: this form's `field` should not exceed `other_field` of the same unit's `other_form`
    over the same period (a quarterly form summed over the half-year). Silent when the unit
    filed no such form, or it does not collect that field."""

    field: str
    other_form: str
    other_field: str
    other_label: str
    level = "warning"

    def check(self, spec, values, ctx):
        mine, theirs = values.get(self.field), ctx.others.get(self.other_form, {}).get(self.other_field)
        if mine is None or theirs is None or mine <= theirs:
            return []
        title = ctx.other_titles.get(self.other_form, self.other_form)
        return [Issue((self.field,), f"{spec.field(self.field).quoted}（{_num(spec, self.field, mine)}）大于本单位同期"
                                     f"{title}报表的「{self.other_label}」（{theirs:,}），请核对或说明原因", "warning")]


@dataclass(frozen=True)
class HistoryOutlier(Rule):
    """Warning: more than `factor`× or under 1/`factor` of the unit's average of recent periods."""

    fields: tuple[str, ...]
    factor: int = 3
    level = "warning"

    def check(self, spec, values, ctx):
        issues = []
        for name in self.fields:
            past = [v for v in ctx.history.get(name, ()) if v is not None]
            value = values.get(name)
            if not past or value is None:
                continue
            avg = Decimal(sum(past)) / len(past)
            if avg == 0:
                continue
            f = spec.field(name)
            if value > avg * self.factor:
                how = f"超过本单位前{len(past)}期平均值（{f.display(int(avg))}）的{self.factor}倍"
            elif value * self.factor < avg:
                how = f"不足本单位前{len(past)}期平均值（{f.display(int(avg))}）的1/{self.factor}"
            else:
                continue
            issues.append(
                Issue((name,), f"{f.quoted}为{f.display(value)}，{how}，请说明原因", "warning")
            )
        return issues


@dataclass(frozen=True)
class ChangedFromPrefill(Rule):
    """Warning: a pre-filled figure (carried over, or from the register) was changed."""

    fields: tuple[str, ...]
    source: str = "上期期末数"
    level = "warning"

    def check(self, spec, values, ctx):
        issues = []
        for name in self.fields:
            before = ctx.prefill.get(name)
            if before is not None and values.get(name) is not None and values[name] != before:
                f = spec.field(name)
                issues.append(
                    Issue(
                        (name,),
                        f"{f.quoted}（{f.display(values[name])}）与{self.source}（{f.display(before)}）不一致，请说明原因",
                        "warning",
                    )
                )
        return issues


@dataclass(frozen=True)
class Rate:
    """A derived rate: sum(numerator) / sum(denominator), always from summed parts."""

    name: str
    label: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]

    def compute(self, values: Mapping[str, Any], min_base: int = 0) -> Decimal | None:
        """The rate as a fraction, or None when the base is zero or unknown (shown as '—'); a
        SmallBase when the base is under `min_base` cases (marked, never ranked)."""
        num = [values.get(n) for n in self.numerator]
        den = [values.get(n) for n in self.denominator]
        if any(v is None for v in num + den):
            return None
        base = sum(den)
        if base == 0:
            return None
        rate = Decimal(sum(num)) / Decimal(base)
        return SmallBase(rate) if base < min_base else rate


class SmallBase(Decimal):
    """A rate over fewer cases than the setting RATE_MIN_BASE (default 10): equal to its value,
    shown with a mark (13.3%*), never given a rank."""

    small_base = True


SMALL_MARK = "*"


def is_small(rate) -> bool:
    return isinstance(rate, SmallBase)


def format_rate(rate: Decimal | None) -> str:
    """'13.8%', '33.3%*' over a small base, or '—'."""
    if rate is None:
        return "—"
    return f"{rate * 100:.1f}%" + (SMALL_MARK if is_small(rate) else "")


@dataclass
class FormSpec:
    """One official statistical form, declared once."""

    code: str
    title: str
    period_kind: str  # quarter | half | year
    fields: list[Field]
    rules: list[Rule] = field(default_factory=list)
    rates: list[Rate] = field(default_factory=list)
    # Rules may return a deadline for a period; None means the period kind's default rule.
    deadline_rule: Callable | None = None
    # Fields pre-filled from the unit's previous accepted period: {this field: previous field}.
    carry_over: dict[str, str] = field(default_factory=dict)
    # Further pre-filled figures computed for a filing (e.g. headcount from the staff register).
    prefill_hook: Callable | None = None
    # Called after a transition of this form's filing: {action name: fn(filing)}.
    hooks: dict[str, Callable] = field(default_factory=dict)
    # An extra panel on the filing page: (template, fn(filing) → template context).
    detail_panel: tuple[str, Callable] | None = None
    menu_title: str = ""
    # Form versions (see app/forms/versions.py): the version's name, the first period it is
    # filed for ("" = from the beginning), and how its fields read the previous version's
    # figures: {this version's field: previous version's fields summed}. A field of the same
    # name is read as itself; a field in neither was not collected before (shown as —).
    version: str = ""
    valid_from: str = ""
    mapping: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # What changed in this version, in one sentence (shown on 指标说明 and on trend charts).
    version_note: str = ""
    # A slow-moving form (e.g. the yearly institution report): a new draft may start from the
    # unit's previous period's figures (复制上期, app/filing/copy.py).
    copy_previous: bool = False

    def __post_init__(self) -> None:
        self._by_name = {f.name: f for f in self.fields}
        if len(self._by_name) != len(self.fields):
            raise ValueError(f"duplicate field in form {self.code}")

    def field(self, name: str) -> Field:
        return self._by_name[name]

    def has_field(self, name: str) -> bool:
        return name in self._by_name

    @property
    def template_kind(self) -> str:
        """The Excel template's marker: the form code, with the version when it has one."""
        return f"{self.code}@{self.version}" if self.version else self.code

    @property
    def version_label(self) -> str:
        return f"{self.version}版" if self.version else ""

    def rate(self, name: str) -> Rate | None:
        return next((r for r in self.rates if r.name == name), None)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def numeric_fields(self) -> list[Field]:
        return [f for f in self.fields if f.numeric]

    def groups(self) -> list[tuple[str, list[Field]]]:
        """Fields in declaration order, grouped by their column group."""
        out: list[tuple[str, list[Field]]] = []
        for f in self.fields:
            if out and out[-1][0] == f.group:
                out[-1][1].append(f)
            else:
                out.append((f.group, [f]))
        return out

    def parse(self, raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        """Parse every field of a submitted mapping. Returns (values, {field: message})."""
        values, errors = {}, {}
        for f in self.fields:
            value, error = f.parse(raw.get(f.name))
            if error:
                errors[f.name] = error
            else:
                values[f.name] = value
        return values, errors

    def unknown_keys(self, raw: Mapping[str, Any]) -> list[str]:
        return [k for k in raw if k not in self._by_name]

    def check(self, values: Mapping[str, Any], ctx: CheckContext | None = None) -> list[Issue]:
        """Run every rule; errors block saving, warnings need an explanation to submit."""
        ctx = ctx or CheckContext()
        issues: list[Issue] = []
        for rule in self.rules:
            issues.extend(rule.check(self, values, ctx))
        return issues

    def live_rules(self) -> dict:
        """The rules a page can check while the user types (static/js/filing_live.js): sums
        (result = Σ plus − Σ minus) and limits (part ≤ Σ whole). The server stays the authority:
        every save runs every rule (check)."""
        sums, limits = [], []
        for r in self.rules:
            if isinstance(r, Balance):
                sums.append({"result": r.result, "plus": list(r.plus), "minus": list(r.minus)})
            elif isinstance(r, NotGreater):
                wholes = [r.whole] if isinstance(r.whole, str) else list(r.whole)
                limits.append({"part": r.part, "whole": wholes, "level": r.level})
        return {"sums": sums, "limits": limits}

    def compute_rates(self, values: Mapping[str, Any], min_base: int = 0) -> list[tuple[Rate, Decimal | None]]:
        return [(r, r.compute(values, min_base)) for r in self.rates]
