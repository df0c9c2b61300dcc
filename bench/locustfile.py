"""Deadline-day load under locust (headless, started by bench/load.py): the users of
bench/deadline.py, each its own account with its own session (LOAD_SESSIONS, a JSON file minted by
bench/load.py: no logins during the test, the login form is rate-limited per address).

A step whose check fails (error status, login page, missing success flash, failure flash, a
download that is not its file) is a locust failure. The writes that succeeded are written to
LOAD_COUNTS when the test stops, for bench/load.py to compare with the database.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import deadline  # noqa: E402

SESSIONS = json.load(open(os.environ["LOAD_SESSIONS"], encoding="utf-8"))
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "100000"))
WAIT = tuple(float(x) for x in os.environ.get("LOAD_WAIT", "2,6").split(","))  # think time, seconds
_taken = {role: 0 for role in deadline.ROLES}


@events.init.add_listener
def _init(environment, **kw):
    _bound.environment = environment


@events.request.add_listener
def _bound(**kw):
    """Stop by itself after MAX_REQUESTS requests (the time bound is --run-time)."""
    runner = getattr(_bound, "environment", None) and _bound.environment.runner
    if runner is not None and runner.stats.total.num_requests >= MAX_REQUESTS:
        runner.quit()


@events.test_stop.add_listener
def _counts(**kw):
    Path(os.environ["LOAD_COUNTS"]).write_text(json.dumps(dict(deadline.DONE)), encoding="utf-8")


class _Client:
    """deadline.Flow's client on locust's HttpSession (requests), with the check as the verdict."""

    def __init__(self, user):
        self.user = user

    def call(self, method, path, name, data=None, check=None, fail=None):
        if fail is not None:
            self.user.environment.events.request.fire(
                request_type=method, name=name, response_time=0, response_length=0, response=None,
                context={}, exception=deadline.StepFailed(fail), start_time=time.time(), url=path)
            return None
        with self.user.client.request(method, path, name=name, data=data, catch_response=True) as r:
            try:
                out = check(r)
            except deadline.StepFailed as exc:
                r.failure(str(exc))
                return None
            r.success()
            return True if out is None else out


class _Portal(HttpUser):
    abstract = True
    wait_time = between(*WAIT)
    role = ""

    def on_start(self):
        pool = SESSIONS[self.role]
        i = _taken[self.role]
        if i >= len(pool):
            raise RuntimeError(f"more {self.role} than accounts ({len(pool)}): mint more in bench/load.py")
        _taken[self.role] += 1
        session = pool[i]
        # for the host itself, as the server sets it: a second, domain-less cookie of the same name
        # would be sent first and hide the server's updates (its flashes)
        self.client.cookies.set("session", session["cookie"], domain=urlparse(self.host).hostname, path="/")
        self.flow = deadline.ROLES[self.role](_Client(self), session)

    @task
    def step(self):
        self.flow.step()


class Filler(_Portal):
    weight, role = 3, "fillers"


class Approver(_Portal):
    weight, role = 3, "approvers"


class Reviewer(_Portal):
    weight, role = 2, "reviewers"


class Leader(_Portal):
    weight, role = 2, "leaders"
