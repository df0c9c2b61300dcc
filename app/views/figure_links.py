"""Addresses of the page behind a figure (统计报表 · 数据来源, ReportView.sources), built once per
page: ``url_for`` runs once per form, the query string once per kind of figure, and each unit's
link only appends its id — a dashboard of 5,000 units does not call ``url_for`` 5,000 times."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import url_for


class FigureLinks:
    """``links(form, period, metric, unit=…, pair=…, kind=…)`` → the sources page's address.
    `common` holds parameters every link carries (successor, basis)."""

    def __init__(self, **common) -> None:
        self.common = {k: v for k, v in common.items() if v not in (None, "")}
        self._bases: dict[str, str] = {}
        self._prefixes: dict[tuple, str] = {}

    def __call__(self, form: str, period, metric: str, unit=None, pair=None, **extra) -> str:
        if unit is not None and not isinstance(unit, int | str):  # several units: a parameter of the prefix
            extra["unit"], unit = sorted(unit), None
        key = (form, period.key, metric, pair.key if pair is not None else "",
               tuple(sorted((k, tuple(v) if isinstance(v, list | tuple | set) else v) for k, v in extra.items()))
               if extra else ())  # most calls: a unit's figure, no extra parameter
        prefix = self._prefixes.get(key)
        if prefix is None:
            base = self._bases.get(form)
            if base is None:
                base = self._bases[form] = url_for("ReportView.sources", form_code=form)
            params = {"period": period.key, "metric": metric, **self.common,
                      **{k: v for k, v in extra.items() if v not in (None, "")}}
            if pair is not None:
                params["pair"] = pair.key
            prefix = self._prefixes[key] = base + "?" + urlencode(params, doseq=True)
        return prefix if unit is None else f"{prefix}&unit={int(unit)}"
