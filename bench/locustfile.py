"""Deadline-day mix for bench/load.py (locust, headless): fillers saving and submitting their
penalty filing through the web forms, reviewers listing filings, leaders on the dashboard.

Sessions are minted by bench/load.py before the run (no logins during the test: the login form is
rate-limited per address) and passed in LOAD_SESSIONS (a JSON file)."""

from __future__ import annotations

import itertools
import json
import os
import random
import re

from locust import FastHttpUser, between, events, task

SESSIONS = json.load(open(os.environ["LOAD_SESSIONS"], encoding="utf-8"))
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "20000"))
WAIT = tuple(float(x) for x in os.environ.get("LOAD_WAIT", "2,6").split(","))  # think time, seconds
_fillers = itertools.cycle(SESSIONS["fillers"])
_reviewers = itertools.cycle(SESSIONS["reviewers"])
_leaders = itertools.cycle(SESSIONS["leaders"])
VERSION_RE = re.compile(r'name="_version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="_version"')


@events.request.add_listener
def _bound(context=None, **kw):
    """Stop by itself after MAX_REQUESTS requests (the time bound is --run-time)."""
    runner = _bound.environment.runner if hasattr(_bound, "environment") else None
    if runner is not None and runner.stats.total.num_requests >= MAX_REQUESTS:
        runner.quit()


@events.init.add_listener
def _init(environment, **kw):
    _bound.environment = environment


class _Portal(FastHttpUser):
    abstract = True
    wait_time = between(*WAIT)

    def on_start(self):
        self.s = next(self.pool)
        self.headers = {"Cookie": f"session={self.s['cookie']}"}

    def get(self, path, name=None):
        with self.client.get(path, headers=self.headers, name=name or path, catch_response=True) as r:
            if r.status_code != 200 or "/login/" in (r.url or "") and "login" in r.text[:2000].lower():
                r.failure(f"{r.status_code}")
            return r

    def post(self, path, data, name):
        data = dict(data, csrf_token=self.s["csrf"])
        with self.client.post(path, data=data, headers=self.headers, name=name, catch_response=True,
                              allow_redirects=False) as r:
            if r.status_code not in (302, 303) or "login" in (r.headers.get("Location") or ""):
                r.failure(f"{r.status_code} {r.headers.get('Location')}")
            return r


class Filler(_Portal):
    weight = 5
    pool = _fillers

    @task(6)
    def save(self):
        fid = self.s["fid"]
        page = self.get(f"/filings/{fid}/edit", name="filler: edit form")
        m = VERSION_RE.search(page.text or "")
        data = dict(self.s["values"])
        if m:
            data["_version"] = m.group(1) or m.group(2)
        self.post(f"/filings/{fid}/edit", data, name="filler: save")

    @task(1)
    def submit_cycle(self):
        """Submit, returned by the unit's approver, reopened: the filing is a draft again."""
        fid = self.s["fid"]
        self.post(f"/filings/{fid}/act", {"action": "submit"}, name="filler: submit")
        approver = {"Cookie": f"session={self.s['approver_cookie']}"}
        with self.client.post(f"/filings/{fid}/act", headers=approver, name="approver: return",
                              data={"action": "unit_return", "comment": "请核对",
                                    "csrf_token": self.s["approver_csrf"]},
                              allow_redirects=False, catch_response=True) as r:
            if r.status_code != 302:
                r.failure(str(r.status_code))
        self.post(f"/filings/{fid}/act", {"action": "reopen"}, name="filler: reopen")

    @task(2)
    def list_own(self):
        self.get("/filings/penalty/", name="filler: list")


class Reviewer(_Portal):
    weight = 3
    pool = _reviewers

    @task(4)
    def list_filings(self):
        self.get("/filings/penalty/", name="reviewer: list")

    @task(2)
    def list_page(self):
        self.get(f"/filings/penalty/?page={random.randint(2, 20)}", name="reviewer: list page n")

    @task(1)
    def timeliness(self):
        self.get("/timeliness/", name="reviewer: timeliness")


class Leader(_Portal):
    weight = 2
    pool = _leaders

    @task(3)
    def dashboard(self):
        self.get("/dashboard/", name="leader: dashboard")

    @task(1)
    def report(self):
        self.get("/reports/penalty/", name="leader: report")
