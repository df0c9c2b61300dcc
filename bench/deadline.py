"""What the deadline-day users do (issue 20), independent of the load tool: bench/locustfile.py
runs it under locust, bench/load.py's `--driver threads` with plain threads (a smoke run).

Every virtual user is its own account with its own session (minted by bench/load.py). Each step
is checked as a person would check it, and any failure counts as an error:

* an error status, or a redirect to the login page (a lost session);
* a form post that does not end on the page it should, with the portal's success flash
  (已保存 / 操作成功), or any page with a failure flash (danger or warning);
* a download that is not the file it claims to be (status, type, the zip signature of xlsx/docx).

The roles, one unit each where they have one (units are not shared, so users never race for one
filing and every conflict would be a real error):

* fillers (weight 3) work through their unit's draft penalty filings: open the filing, save new
  values (one figure changes on every save, so every save is a write), submit after a few
  saves; reopen what the approver or the city returned; move on to the next period once accepted;
* approvers (3), one per filler's unit: look at their unit's list of filings awaiting them and
  sign off (nine in ten) or return to the filler (one in ten, with a reason);
* reviewers (2), each for a share of the units: list what awaits the city's review and accept
  (three in four) or return (with a reason);
* leaders (2): the dashboard, the yearly report, its xlsx, the analysis page and its docx.

Every successful write is counted in `DONE` (saves, submissions, sign-offs, unit returns,
acceptances, returns, reopenings); bench/load.py compares the counts with the database afterwards.
"""

from __future__ import annotations

import random
import re
import threading
from collections import Counter

DONE: Counter = Counter()  # successful writes by kind (this process)
_lock = threading.Lock()
WRITES = ("save", "submit", "sign_off", "unit_return", "accept", "return", "reopen")

VERSION_RE = re.compile(r'name="_version"[^>]*value="(\d+)"')
ACTION_RE = re.compile(r'name="action" value="([a-z_]+)"')
FILING_RE = re.compile(r'href="/filings/(\d+)"')
# a flash as Flask-AppBuilder renders it (appbuilder/flash.html): a page's own alert boxes, such as a
# returned filing's reason in alert-danger, are not flashes
FLASH_RE = re.compile(r'<div class="alert alert-(\w+)">\s*<button type="button" class="close" '
                      r'data-dismiss="alert">&times;</button>\s*(.*?)\s*</div>', re.S)
FAILURE = frozenset({"danger", "warning", "error"})


class StepFailed(Exception):
    """A step that did not do what the user asked (the reason is the error's name in the stats)."""


def done(kind: str) -> None:
    with _lock:
        DONE[kind] += 1


def check_page(resp, path: str | None = None, flash: str | None = None) -> str:
    """The page's text after checking it (raises StepFailed): status 200, not the login page, on
    `path` when given, with a success flash when `flash`, never a failure flash."""
    if resp.status_code != 200:
        raise StepFailed(f"status {resp.status_code}")
    url = str(resp.url or "")
    if "/login" in url:
        raise StepFailed("redirected to the login page")
    text = resp.text or ""
    flashes = FLASH_RE.findall(text)
    if any(category in FAILURE for category, _m in flashes):
        raise StepFailed("failure flash")
    if path is not None and not url.split("?")[0].endswith(path):
        raise StepFailed(f"ended on {url.split('?')[0].rsplit('/', 2)[-2:]}")
    if flash is not None and not any(category == "success" and flash in m for category, m in flashes):
        raise StepFailed("no success flash")
    return text


def check_file(resp, signature: bytes = b"PK") -> None:
    if resp.status_code != 200:
        raise StepFailed(f"status {resp.status_code}")
    ctype = resp.headers.get("Content-Type", "")
    if "html" in ctype or not resp.content.startswith(signature):
        raise StepFailed("not the file")


class Flow:
    """One virtual user's state; `client` does the requests: call(method, path, name, data=None,
    check=fn, fail=None) runs fn(resp) and records the step, failed when fn raises StepFailed (or,
    without a request, when `fail` names why it could not be made); returns what fn returned
    (True for None), or None when the step failed."""

    def __init__(self, client, session: dict):
        self.client, self.s = client, session
        self.rng = random.Random(session.get("seed", 0))

    def get(self, path, name, check=None):
        return self.client.call("GET", path, name, check=check or (lambda r: check_page(r)))

    def post(self, path, data, name, check):
        if data.get("_version") is None:  # the page had no form to post (counted as a failed step)
            return self.client.call("POST", path, name, check=check, fail="no version on the page")
        return self.client.call("POST", path, name, data=dict(data, csrf_token=self.s["csrf"]), check=check)


class Filler(Flow):
    """Works through the unit's draft filings, oldest period first."""

    def __init__(self, client, session):
        super().__init__(client, session)
        self.queue = list(session["fids"])
        self.saves = 0

    def step(self):
        if not self.queue:
            self.get("/filings/penalty/", "filler: list")
            return
        fid = self.queue[0]
        page = self.get(f"/filings/{fid}", "filler: filing")
        if page is None:
            return
        actions = set(ACTION_RE.findall(page))
        if "reopen" in actions:
            if self.post(f"/filings/{fid}/act", {"action": "reopen", "_version": _version(page)}, "filler: reopen",
                         lambda r: check_page(r, f"/filings/{fid}", "操作成功")) is not None:
                done("reopen")
        elif "submit" in actions:
            if self.saves >= 3 and self.rng.random() < 0.5:
                if self.post(f"/filings/{fid}/act", {"action": "submit", "_version": _version(page),
                                                     "_explanation": "压测：本期数据已核对"}, "filler: submit",
                             lambda r: check_page(r, f"/filings/{fid}", "操作成功")) is not None:
                    done("submit")
                    self.saves = 0
            else:
                # saving a returned filing reopens it (app.filing.values): a second write to expect
                self.save(fid, reopens='<strong id="state">已退回</strong>' in page)
        elif '<strong id="state">已通过</strong>' in page:
            self.queue.pop(0)  # accepted: on to the next period
        # pending or submitted: waiting for the approver or the city (the page was the step)

    def save(self, fid, reopens: bool = False):
        form = self.get(f"/filings/{fid}/edit", "filler: edit form",
                        lambda r: check_page(r, f"/filings/{fid}/edit"))
        if form is None:
            return
        self.s["n"] = self.s.get("n", 0) + 1
        data = dict(self.s["values"], _version=_version(form))
        # a different amount on every save: every save is a write the database must show
        data["amount_fines"] = f"{50_000 + self.s['serial'] * 1_000 + self.s['n'] % 1_000}.{self.s['n'] % 100:02d}"
        if self.post(f"/filings/{fid}/edit", data, "filler: save",
                     lambda r: check_page(r, f"/filings/{fid}", "已保存")) is not None:
            done("save")
            if reopens:
                done("reopen")
            self.saves += 1


class Approver(Flow):
    """Signs off (or returns) what the unit's filler submitted."""

    def step(self):
        page = self.get("/filings/penalty/?state=pending", "approver: awaiting")
        ids = FILING_RE.findall(page or "")
        if not ids:
            return
        fid = ids[0]
        show = self.get(f"/filings/{fid}", "approver: filing")
        if show is None or "sign_off" not in ACTION_RE.findall(show):
            return
        if self.rng.random() < 0.9:
            kind, data = "sign_off", {"action": "sign_off"}
        else:
            kind, data = "unit_return", {"action": "unit_return", "comment": "请核对罚没金额"}
        data["_version"] = _version(show)
        if self.post(f"/filings/{fid}/act", data, f"approver: {kind}",
                     lambda r: check_page(r, f"/filings/{fid}", "操作成功")) is not None:
            done(kind)


class Reviewer(Flow):
    """Accepts (or returns) what its units signed off, one unit at a time."""

    def step(self):
        units = self.s["units"]
        self.s["i"] = (self.s.get("i", -1) + 1) % len(units)
        page = self.get(f"/filings/penalty/?state=submitted&unit={units[self.s['i']]}", "reviewer: awaiting")
        ids = FILING_RE.findall(page or "")
        if not ids:
            self.get("/timeliness/", "reviewer: timeliness") if self.rng.random() < 0.2 else None
            return
        fid = ids[0]
        show = self.get(f"/filings/{fid}", "reviewer: filing")
        if show is None or "accept" not in ACTION_RE.findall(show):
            return
        if self.rng.random() < 0.75:
            kind, data = "accept", {"action": "accept"}
        else:
            kind, data = "return", {"action": "return", "comment": "请补充情况说明"}
        data["_version"] = _version(show)
        if self.post(f"/filings/{fid}/act", data, f"reviewer: {kind}",
                     lambda r: check_page(r, f"/filings/{fid}", "操作成功")) is not None:
            done(kind)


class Leader(Flow):
    """Reads: the dashboard most, then the report, its xlsx, the analysis and its docx."""

    PAGES = (("leader: dashboard", "/dashboard/", 4, None),
             ("leader: report", "/reports/penalty/?from={year}", 2, None),
             ("leader: report xlsx", "/reports/penalty/export.xlsx?from={year}", 1, b"PK"),
             ("leader: analysis", "/reports/analysis?period={half}", 1, None),
             ("leader: analysis docx", "/reports/analysis.docx?period={half}", 1, b"PK"))

    def step(self):
        name, path, _w, signature = self.rng.choices(self.PAGES, weights=[p[2] for p in self.PAGES])[0]
        path = path.format(year=self.s["year"], half=self.s["half"])
        if signature:
            self.get(path, name, lambda r: check_file(r, signature))
        else:
            self.get(path, name)


ROLES = {"fillers": Filler, "approvers": Approver, "reviewers": Reviewer, "leaders": Leader}


def _version(page: str) -> str:
    m = VERSION_RE.search(page or "")
    return m.group(1) if m else None
