"""/api/v1/statistics: the statistics feed for the leaders' decision system (JSON or CSV), the
indicator catalogue and the change feed. Wiring only: the figures come from app.reporting (the
report page's own aggregation, in the caller's scope), the events from the filing engine's
records. Every call is audited and rate-limited (FAB's limiter); nothing is cached.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from decimal import Decimal

from flask import current_app, make_response, request
from flask_appbuilder.utils.limit import Limit
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from ..audit import record
from ..clock import today, utcnow
from ..extensions import db
from ..filing.periods import Period
from ..filing.values import printable
from ..forms import VERSIONS, get_form
from ..forms.base import MONEY, is_small
from ..models.unit import UNIT_KINDS, Unit
from ..money import yuan_input
from ..reporting.aggregate import GROUPINGS
from ..reporting.catalogue import catalogue
from ..reporting.changes import count_events, events, last_change
from ..reporting.feed import MOM, YOY, Feed, FeedRow, UnknownFigure, build_feed
from ..reporting.measures import RATE
from ..reporting.params import STATES, parse_filters
from ..reporting.report import period_text
from ..reporting.units import scope_label
from ..scope import acting_user, visible_unit_ids
from .base import PAGE_ERROR, PAGE_PARAMS, ApiError, PortalApi, endpoint, form_param, responses

STATISTICS = "Statistics"
DEFAULT_RATE_LIMIT = "120 per minute"
CSV_MIME = "text/csv; charset=utf-8"
BOM = "\ufeff"
MAX_YEARS = 30  # a range's span: bounds one call's work (20 years of quarters is the longest trend shown)
RATE_LIMITED = "请求过于频繁，请稍后再试（统计接口按密钥限流）"


def _rate_limit() -> str:
    """STATISTICS_RATE_LIMIT (flask-limiter notation), read on every call."""
    return current_app.config.get("STATISTICS_RATE_LIMIT", DEFAULT_RATE_LIMIT)


def _caller() -> str:
    """The limiter's key: the credential (hashed; one budget per API key or token), else the address."""
    auth = request.headers.get("Authorization", "")
    if auth:
        return "stats:" + hashlib.sha256(auth.encode("utf-8", "replace")).hexdigest()
    return "stats:" + (request.remote_addr or "")


def _breached(_limit):
    resp = make_response({"message": RATE_LIMITED, "errors": {}}, 429)
    resp.headers["Retry-After"] = "60"
    return resp


def _iso(stamp: dt.datetime | None) -> str | None:
    """A stored (naive UTC) time as ISO 8601 with Z."""
    return None if stamp is None else stamp.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _number(value, kind: str):
    """A figure in JSON: counts as integers, money as 元 strings, rates as fractions (6 places)."""
    if value is None:
        return None
    if kind == MONEY:
        return yuan_input(value)
    if kind == RATE or isinstance(value, Decimal):
        return float(round(value, 6))
    return value


def _csv_number(value, kind: str) -> str:
    value = _number(value, kind)
    return "" if value is None else str(value)


def _names(arg: str) -> list[str] | None:
    raw = request.args.get(arg)
    if raw is None or raw.strip() == "":
        return None
    return [n.strip() for n in raw.split(",") if n.strip()]


EXAMPLE = {
    "form": "penalty", "form_version": "2021", "title": "行政处罚情况统计表", "versions": ["2021"], "partial": [],
    "first": "2026Q1", "last": "2026Q2", "period_label": "2026年第1季度至2026年第2季度", "split": False, "by": "unit",
    "successor": True, "basis": "accepted", "states": ["accepted"], "scope": "全市",
    "generated_at": "2026-11-29T08:00:00.000000Z", "last_change": "2026-11-28T09:12:44.120000Z",
    "columns": [{"name": "decisions_total", "label": "处罚决定总数", "kind": "count", "unit": "count"},
                {"name": "amount_fines", "label": "罚款金额（元）", "kind": "money", "unit": "元"},
                {"name": "challenge_correction_rate", "label": "处罚决定被复议纠错率", "kind": "rate",
                 "unit": "fraction"}],
    "count": 1, "page": 1, "page_size": 20,
    "result": [{"period": None, "period_label": "2026年第1季度至2026年第2季度", "code": "0100", "label": "东城区",
                "filings": 2, "coverage": {"expected": 2, "reported": 2, "counted": 2, "states": ["accepted"]},
                "figures": {"decisions_total": 230, "amount_fines": "100000.00", "challenge_correction_rate": 0.25},
                "small_base": ["challenge_correction_rate"],
                "yoy": {"period": "2025Q1-2025Q2", "figures": {"decisions_total": 200, "amount_fines": "80000.00",
                                                               "challenge_correction_rate": 0.1},
                        "change": {"decisions_total": 30, "amount_fines": "20000.00",
                                   "challenge_correction_rate": 0.15},
                        "pct": {"decisions_total": 0.15, "amount_fines": 0.25, "challenge_correction_rate": None}}}],
    "totals": [{"period": None, "period_label": "2026年第1季度至2026年第2季度", "code": "", "label": "合计",
                "filings": 2, "coverage": {"expected": 120, "reported": 118, "counted": 2, "states": ["accepted"]},
                "figures": {"decisions_total": 230, "amount_fines": "100000.00", "challenge_correction_rate": 0.25},
                "small_base": ["challenge_correction_rate"]}],
}
CSV_EXAMPLE = ("\ufeffrow,period,code,label,filings,expected,reported,counted,decisions_total,amount_fines\r\n"
               "group,,0100,东城区,2,2,2,2,230,100000.00\r\ntotal,,,合计,2,120,118,2,230,100000.00\r\n")


def _with_examples(answers: dict) -> dict:
    """The statistics answer's example in JSON and CSV, and its rate limit."""
    ok = answers["200"]
    ok["content"]["application/json"]["example"] = EXAMPLE
    ok["content"]["text/csv"] = {"schema": {"type": "string"}, "example": CSV_EXAMPLE}
    return {**answers, "429": {"description": "Rate limited (STATISTICS_RATE_LIMIT per key; Retry-After)"}}


class StatisticsApi(PortalApi):
    """The report's figures with coverage and 同比/环比; the catalogue; the change feed."""

    resource_name = "statistics"
    class_permission_name = STATISTICS
    method_permission_name = {"get": "read", "indicators": "read", "changes": "read"}
    openapi_spec_tag = "Statistics"
    limits = [Limit(_rate_limit, key_func=_caller, on_breach=_breached)]
    openapi_spec_methods = {
        "get": {"get": {
            "description": "The figures of the report page (统计报表) for the same choice, per group and "
                           "bucket, each with its coverage; 同比/环比 on request. `format=csv` answers the "
                           "same query as CSV (UTF-8 with BOM, every row, no paging).",
            "parameters": [
                form_param(required=True),
                {"in": "query", "name": "version", "schema": {"type": "string", "example": "2024"},
                 "description": "the form version the caller expects: refused (400) unless it is the one "
                                "in force at the end of the range"},
                {"in": "query", "name": "from", "schema": {"type": "string", "example": "2024Q1"},
                 "description": "first period (quarter 2024Q1, half-year 2024H1, year 2024); default the last "
                                "complete period of the form"},
                {"in": "query", "name": "to", "schema": {"type": "string", "example": "2024Q4"},
                 "description": "last period, of the same kind (default: from)"},
                {"in": "query", "name": "split", "schema": {"type": "integer", "enum": [0, 1], "default": 0},
                 "description": "1: one bucket per period of the range; 0: the range is one bucket"},
                {"in": "query", "name": "by", "schema": {"type": "string", "enum": list(GROUPINGS),
                                                        "default": "unit"}},
                {"in": "query", "name": "unit", "schema": {"type": "string", "example": "0100,2300"},
                 "description": "unit codes (comma-separated or repeated): only these units"},
                {"in": "query", "name": "kind", "schema": {"type": "string", "enum": list(UNIT_KINDS)},
                 "description": "unit kinds (comma-separated or repeated)"},
                {"in": "query", "name": "successor", "schema": {"type": "integer", "enum": [0, 1], "default": 0},
                 "description": "1: closed units' filings counted under their final successor"},
                {"in": "query", "name": "basis", "schema": {"type": "string", "enum": list(STATES),
                                                           "default": "accepted"},
                 "description": "accepted: 已通过审核; reported: 已通过 and 已上报待审核"},
                {"in": "query", "name": "fields", "schema": {"type": "string", "example": "decisions_total,k_fine"},
                 "description": "figure names (catalogue kinds field, choice, combined); default all"},
                {"in": "query", "name": "indicators", "schema": {"type": "string"},
                 "description": "rate names (catalogue kind rate); default all"},
                {"in": "query", "name": "compare", "schema": {"type": "string", "example": "yoy,mom"},
                 "description": "yoy (同比) and/or mom (环比)"},
                {"in": "query", "name": "format", "schema": {"type": "string", "enum": ["json", "csv"],
                                                            "default": "json"}},
                *PAGE_PARAMS],
            "responses": _with_examples(responses("StatisticsSchema", "400")),
        }},
        "indicators": {"get": {"parameters": [form_param(required=False)],
                               "responses": {**responses("IndicatorListSchema", "400"),
                                             "429": {"description": "Rate limited"}}}},
        "changes": {"get": {
            "parameters": [
                form_param(required=False),
                {"in": "query", "name": "changed_since", "schema": {"type": "string",
                                                                   "example": "2026-11-29T08:00:00Z"},
                 "description": "ISO 8601 time (UTC unless an offset is given): events strictly after it"},
                *PAGE_PARAMS],
            "responses": {**responses("ChangeListSchema", "400"),
                          "429": {"description": "Rate limited (STATISTICS_RATE_LIMIT per key; Retry-After)"}}}},
    }

    def _audit(self) -> None:
        """One audit row per call: who read which statistics, with the query as asked."""
        args = {printable(k, 32): [printable(v) for v in vs[:20]] for k, vs in list(request.args.lists())[:20]}
        record("api.statistics", "statistics", None, {"path": request.path, "args": args})
        db.session.commit()

    @staticmethod
    def _fresh(resp):
        resp.headers["Cache-Control"] = "no-store"
        return resp

    def _answer(self, status: int = 200, **body):
        return self._fresh(self.response(status, **body))

    def _units(self) -> frozenset[int] | None:
        codes = [c.strip() for raw in request.args.getlist("unit") for c in raw.split(",") if c.strip()]
        if not codes:
            return None
        visible = visible_unit_ids()
        ids = dict(db.session.execute(select(Unit.code, Unit.id).where(Unit.code.in_(codes))).all())
        missing = [c for c in codes if c not in ids or (visible is not None and ids[c] not in visible)]
        if missing:
            named = "、".join(printable(c, 16) for c in missing)
            raise self.refusal("「unit」：单位不存在或不在您的权限范围内：" + named)
        return frozenset(ids.values())

    @staticmethod
    def refusal(message: str) -> ApiError:
        """A 400 naming the parameter (raised inside an endpoint)."""
        return ApiError(400, message)

    def _query(self):
        """The StatsQuery from the arguments, by the report page's own parser; every bad argument a 400."""
        form = self.form_arg(request.args.get("form"))
        args = MultiDict()
        for name in ("from", "to"):
            if request.args.get(name):
                args[name] = request.args[name]
        by = request.args.get("by", "unit")
        if by not in GROUPINGS:
            raise self.refusal("「by」应为：" + "、".join(GROUPINGS))
        args["by"] = by
        basis = request.args.get("basis", "accepted")
        if basis not in STATES:
            raise self.refusal("「basis」应为：" + "、".join(STATES))
        args["basis"] = basis
        for flag in ("successor", "split"):
            if request.args.get(flag, "0") not in ("0", "1"):
                raise self.refusal(f"「{flag}」应为 0 或 1")
        args["successor"] = request.args.get("successor", "0")
        kinds = [k.strip() for raw in request.args.getlist("kind") for k in raw.split(",") if k.strip()]
        unknown = [k for k in kinds if k not in UNIT_KINDS]
        if unknown:
            raise self.refusal("「kind」应为：" + "、".join(UNIT_KINDS))
        args.setlist("kind", kinds)
        units = self._units()
        args.setlist("unit", [str(i) for i in sorted(units or ())])
        filters = parse_filters(get_form(form), args, today(), visible_unit_ids())
        if filters.errors:
            raise self.refusal("「from」「to」：" + "；".join(filters.errors))
        q = filters.query.but(split=request.args.get("split") == "1")
        if q.end.end.year - q.first.start.year >= MAX_YEARS:
            raise self.refusal(f"「from」「to」：一次最多统计{MAX_YEARS}年（可分几次读取）")
        version = request.args.get("version")
        if version is not None and version != q.spec.version:
            known = "、".join(v.version for v in VERSIONS[form] if v.version) or "（无版本）"
            raise self.refusal(f"「version」：所选报告期截止时适用的版本为「{q.spec.version}」"
                               f"（该报表的版本：{known}）")
        compared = tuple(dict.fromkeys(_names("compare") or ()))
        if any(c not in (YOY, MOM) for c in compared):
            raise self.refusal("「compare」应为 yoy、mom 之一或两者（逗号分隔）")
        return q, basis, compared

    def _chosen(self) -> list[str] | None:
        fields, indicators = _names("fields"), _names("indicators")
        if fields is None and indicators is None:
            return None
        return [*(fields or ()), *(indicators or ())]

    @endpoint("/")
    def get(self):
        """The statistics of one form for a period or range, grouped, with coverage.
        ---
        get:
          summary: Statistics (the report's figures)
        """
        self._audit()
        q, basis, compared = self._query()
        fmt = request.args.get("format", "json")
        if fmt not in ("json", "csv"):
            raise self.refusal("「format」应为 json 或 csv")
        paging = self.page_args()
        if paging is None:
            return self.error(400, PAGE_ERROR)
        page, size = paging
        try:
            feed = build_feed(q, self._chosen(), compared)
        except UnknownFigure as exc:
            raise self.refusal(f"「fields」「indicators」：该报表没有这些指标：{exc}"
                               "（见 /api/v1/statistics/indicators）") from None
        if fmt == "csv":
            return self._csv(feed)
        shown = feed.rows[(page - 1) * size: page * size]
        visible = visible_unit_ids()
        return self._answer(
            form=q.form, form_version=feed.table.spec.version, title=feed.table.spec.title,
            versions=[v.version for v in q.versions()], partial=sorted(feed.table.partial),
            first=q.first.key, last=q.end.key, period_label=period_text(q), split=q.split, by=q.by,
            successor=q.successor, basis=basis, states=list(q.states),
            scope=scope_label(visible, getattr(acting_user(), "unit", None)),
            generated_at=_iso(utcnow()), last_change=_iso(last_change(q.form)),
            columns=[{"name": c.name, "label": c.label, "kind": c.kind,
                      "unit": {MONEY: "元", RATE: "fraction"}.get(c.kind, "count")} for c in feed.columns],
            count=len(feed.rows), page=page, page_size=size,
            result=[self._row_json(feed, r) for r in shown], totals=[self._row_json(feed, t) for t in feed.totals])

    def _row_json(self, feed: Feed, r: FeedRow) -> dict:
        row = r.row
        out = {"period": row.period.key if row.period else None,
               "period_label": row.period.label if row.period else period_text(feed.query),
               "code": row.code, "label": row.label, "filings": row.filings,
               "coverage": {"expected": r.coverage.expected, "reported": r.coverage.reported,
                            "counted": r.coverage.counted, "states": list(feed.query.states)},
               "figures": {c.name: _number(r.value(c.name), c.kind) for c in feed.columns},
               "small_base": [c.name for c in feed.columns if c.kind == RATE and is_small(r.value(c.name))]}
        for which in feed.compared:
            base_period, _base_row = r.bases.get(which, (None, None))
            if isinstance(base_period, tuple):
                base_key = f"{base_period[0].key}-{base_period[1].key}"
            else:
                base_key = base_period.key if isinstance(base_period, Period) else None
            out[which] = {
                "period": base_key,
                "figures": {c.name: _number(r.base(which, c.name), c.kind) for c in feed.columns},
                "change": {c.name: _number(r.change(which, c.name), c.kind) for c in feed.columns},
                "pct": {c.name: _number(r.pct(which, c.name, c.kind), RATE) for c in feed.columns},
            }
        return out

    def _csv(self, feed: Feed):
        """Every row and total of the feed as CSV, UTF-8 with BOM (Excel reads it as UTF-8)."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        names = [c.name for c in feed.columns]
        head = ["row", "period", "code", "label", "filings", "expected", "reported", "counted", *names]
        for which in feed.compared:
            head += [f"{n}_{which}" for n in names] + [f"{n}_{which}_change" for n in names]
            head += [f"{n}_{which}_pct" for n in names]
        w.writerow(head)
        for kind, rows in (("group", feed.rows), ("total", feed.totals)):
            for r in rows:
                row = r.row
                line = [kind, row.period.key if row.period else "", row.code, row.label, row.filings,
                        r.coverage.expected, r.coverage.reported, r.coverage.counted]
                line += [_csv_number(r.value(c.name), c.kind) for c in feed.columns]
                for which in feed.compared:
                    line += [_csv_number(r.base(which, c.name), c.kind) for c in feed.columns]
                    line += [_csv_number(r.change(which, c.name), c.kind) for c in feed.columns]
                    line += [_csv_number(r.pct(which, c.name, c.kind), RATE) for c in feed.columns]
                w.writerow(line)
        q = feed.query
        name = f"statistics-{q.form}-{q.first.key}" + (f"-{q.end.key}" if q.end != q.first else "") + ".csv"
        resp = make_response((BOM + buf.getvalue()).encode("utf-8"))
        resp.headers["Content-Type"] = CSV_MIME
        resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return self._fresh(resp)

    @endpoint("/indicators")
    def indicators(self):
        """Every figure and rate the reports show, with the words of 指标说明.
        ---
        get:
          summary: Indicator catalogue
        """
        self._audit()
        form = request.args.get("form")
        if form is not None:
            self.form_arg(form)
        entries = [e for e in catalogue() if form is None or e["form"] in (form, None)]
        return self._answer(count=len(entries), result=entries)

    @endpoint("/changes")
    def changes(self):
        """Acceptances, sign-offs, returns and approved corrections after `changed_since`, oldest first.
        ---
        get:
          summary: Change feed
        """
        self._audit()
        form = request.args.get("form")
        if form is not None:
            self.form_arg(form)
        since = None
        if request.args.get("changed_since"):
            try:
                since = dt.datetime.fromisoformat(request.args["changed_since"].strip().replace("Z", "+00:00"))
            except ValueError:
                raise self.refusal("「changed_since」应为 ISO 8601 时间，如 2026-11-29T08:00:00Z") from None
            if since.tzinfo is not None:
                since = since.astimezone(dt.UTC).replace(tzinfo=None)
        paging = self.page_args()
        if paging is None:
            return self.error(400, PAGE_ERROR)
        page, size = paging
        found = events(since, form, limit=size, offset=(page - 1) * size)
        return self._answer(
            count=count_events(since, form), page=page, page_size=size, generated_at=_iso(utcnow()),
            result=[{"at": _iso(e.at), "event": e.event, "form": e.form, "period": e.period_key,
                     "period_label": Period.parse(e.period_key).label, "unit_code": e.unit_code,
                     "unit_name": e.unit_name, "filing_id": e.filing_id, "state": e.state,
                     "revision": e.revision, "bases": e.bases} for e in found])

