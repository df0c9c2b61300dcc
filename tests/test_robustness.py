"""Issue 14, item 7 — robustness: FAB's list arguments on every list view, path ids beyond the
integer range on every route, the database out of reach, API writes without a version, and the
statuses FAB's own API endpoints answer against the spec they publish.

Every walk here reads the app's own registry (app.appbuilder.baseviews, app.url_map), so a view
or route added later is walked too."""

from __future__ import annotations

import re
import socket

import pytest
from flask_appbuilder.baseviews import BaseCRUDView
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from app.extensions import db
from tests.concurrency_helpers import jwt
from tests.engine_helpers import audit_count, drive, snapshot
from tests.helpers import csrf_token, penalty_values

WEB_ROLES = ("admin", "security_admin", "audit_admin", "reviewer", "dongcheng_filler")
API_ROLES = ("admin", "security_admin", "reviewer", "dongcheng_filler")
TOO_BIG = ("2147483648", "242387095979469286932480")  # past PostgreSQL's integer, past 64 bits
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def web(app):
    """A logged-in client per role (module-scoped: logging in is the slow part)."""
    from tests.helpers import login

    return {name: login(app.test_client(), name) for name in WEB_ROLES}


@pytest.fixture(scope="module")
def api(app):
    """(client, bearer headers) per role."""
    client = app.test_client()
    return client, {name: jwt(client, name) for name in API_ROLES}


def _list_views(app) -> list[BaseCRUDView]:
    return [v for v in app.appbuilder.baseviews if isinstance(v, BaseCRUDView)]


def _viewer(web, view):
    """A role's client that may see the view's list (the first role, in WEB_ROLES order)."""
    for name, client in web.items():
        if client.get(f"{view.route_base}/list/").status_code == 200:
            return name, client
    raise AssertionError(f"no role sees {type(view).__name__}'s list: add one to WEB_ROLES")


def _refused_in_chinese(resp, *words) -> None:
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and resp.mimetype == "text/html", resp.status_code
    assert CJK.search(html) and all(w in html for w in words), html[:400]
    assert "Traceback" not in html


def _list_cases(view) -> list[tuple[dict, bool]]:
    """(query, refused?) — bad FAB list arguments for this view; refused ones must be a 400."""
    name = type(view).__name__
    cases = []
    for key in (f"page_{name}", f"psize_{name}"):
        cases += [({key: v}, False) for v in ("-1", "-99999999999999999999", "99999999999999999999", "0")]
        cases += [({key: v}, True) for v in ("abc", "", "1.5", "1e3")]
    cases += [({f"_oc_{name}": "no_such_column", f"_od_{name}": "asc"}, True),
              ({f"_oc_{name}": "id;drop", f"_od_{name}": "desc"}, True)]
    if view.order_columns:
        cases.append(({f"_oc_{name}": view.order_columns[0], f"_od_{name}": "desc"}, False))
    for column, filters in view._filters.get_search_filters().items():
        if len(filters) < 10:
            cases.append(({f"_flt_9_{column}": "1"}, True))  # a filter index the column does not have
        if view.datamodel.is_relation(column) or view.datamodel.is_integer(column):
            cases += [({f"_flt_0_{column}": v}, True) for v in ("abc", TOO_BIG[1], "-99999999999")]
        model = view.datamodel  # columns PostgreSQL would refuse text for are refused first
        cases.append(({f"_flt_0_{column}": "x" * 300}, any(
            check(column) for check in (model.is_relation, model.is_integer, model.is_boolean, model.is_float,
                                        model.is_numeric))))
    return cases


def test_every_list_view_survives_bad_list_arguments(app, web):
    """Every FAB list view, its own and FAB's: bad page numbers and sizes are clamped (a normal
    page), non-integers, unknown sort columns, filters a column lacks and ids no column holds are
    a 400 in Chinese naming the argument — never a 500."""
    views = _list_views(app)
    assert len(views) >= 10
    for view in views:
        _role, client = _viewer(web, view)
        url = f"{view.route_base}/list/"
        for query, refused in _list_cases(view):
            resp = client.get(url, query_string=query)
            assert resp.status_code < 500, (type(view).__name__, query, resp.status_code)
            if refused:
                _refused_in_chinese(resp)
            else:
                assert resp.status_code == 200, (type(view).__name__, query, resp.status_code)


def test_list_paging_is_clamped_not_refused(app, web):
    """A huge page size lists at most 100 rows; a negative page is the first page."""
    from flask_appbuilder.security.sqla.models import PermissionView

    client = web["security_admin"]
    with app.app_context():
        assert db.session.query(PermissionView).count() > 100, "the list should be longer than a page"
    def rows(query):  # the list's rows: every <tr> but the header's
        html = client.get(f"/permissionviews/list/?{query}").get_data(as_text=True)
        return re.findall(r"<tr>(.*?)</tr>", html, re.S)[1:]

    assert len(rows("psize_PermissionViewModelView=3")) == 3
    assert len(rows("psize_PermissionViewModelView=100000000000")) == 100
    assert rows("page_PermissionViewModelView=-7") == rows("page_PermissionViewModelView=0") != []
    resp = client.get("/permissionviews/list/?psize_PermissionViewModelView=abc")
    _refused_in_chinese(resp, "psize_PermissionViewModelView", "每页条数")


def _id_rules(app):
    """(rule, the id arguments) of every route with an <int:…> or FAB <pk> argument."""
    for rule in app.url_map.iter_rules():
        ids = re.findall(r"<int:(\w+)>", rule.rule) + (["pk"] if "<pk>" in rule.rule else [])
        if ids:
            yield rule, ids


def _fill(rule, bad_arg: str, bad: str) -> str:
    def value(m):
        name = m.group(2)
        if name == bad_arg:
            return bad
        return {"form_code": "penalty", "name": "x", "version": "v1"}.get(name, "1")

    return re.sub(r"<(\w+:)?(\w+)>", value, rule.rule)


def test_path_ids_beyond_the_integer_range_are_404_everywhere(app, web, api):
    """Every route taking an id, web and API, every method, for every role: an id past the
    integer range (or, for FAB's <pk>, not a number) is a 404 — never a 500."""
    client, heads = api
    tokens = {name: csrf_token(c, "/") for name, c in web.items()}
    rules = list(_id_rules(app))
    assert len(rules) >= 40
    for rule, ids in rules:
        for arg in ids:
            bads = [*TOO_BIG] + (["abc", "-1", "1.0"] if arg == "pk" and "<pk>" in rule.rule else [])
            for bad in bads:
                url = _fill(rule, arg, bad)
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    if rule.rule.startswith("/api/"):
                        calls = [client.open(url, method=method, json={}, headers=h) for h in heads.values()]
                    else:
                        calls = [c.open(url, method=method, data={"csrf_token": tokens[n]}) for n, c in web.items()]
                    for resp in calls:
                        assert resp.status_code == 404, (method, url, resp.status_code)
                        if rule.rule.startswith("/api/"):
                            assert resp.is_json and resp.json["message"]


def test_the_issues_transition_example(app, api):
    client, heads = api
    resp = client.post("/api/v1/filings/242387095979469286932480/transition", json={"action": "submit"},
                       headers=heads["dongcheng_filler"])
    assert resp.status_code == 404 and resp.is_json and "不存在" in resp.json["message"]


# --- the database out of reach -------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once the socket is closed


@pytest.fixture(params=["postgresql", "sqlite"])
def dead_url(request, tmp_path):
    if request.param == "postgresql":
        return f"postgresql+psycopg://portal@127.0.0.1:{_closed_port()}/portal?connect_timeout=3"
    return f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'portal.db'}"  # unable to open database file


def test_database_down_pages_503_and_api_json_503(app, dead_url, spec, monkeypatch):
    """The engine pointed at a database nobody answers (a closed port; a file that cannot be
    opened): every page is the 503 page, every API call a JSON 503, both with Retry-After;
    once the database is back, the same sessions carry on."""
    from tests.helpers import login

    with app.app_context():
        fid = drive("penalty", "0100", "2026Q1", penalty_values(), "draft").id
        before = snapshot(fid)
    filler = login(app.test_client(), "dongcheng_filler")
    token = csrf_token(filler, f"/filings/{fid}/edit")
    client = app.test_client()
    h = jwt(client, "dongcheng_filler")
    version = client.get(f"/api/v1/filings/{fid}", headers=h).json["result"]["version"]

    dead = create_engine(dead_url, poolclass=NullPool)
    engines = db._app_engines[app]  # Flask-SQLAlchemy's engines of this app, by bind key
    monkeypatch.setitem(engines, None, dead)
    try:
        for resp in (filler.get("/"), filler.get("/filings/penalty/"), filler.get(f"/filings/{fid}"),
                     filler.get("/staff/list/"), filler.get("/notices/"),
                     filler.post(f"/filings/{fid}/edit", data={**penalty_values(120), "_version": str(version),
                                                               "csrf_token": token})):
            html = resp.get_data(as_text=True)
            assert resp.status_code == 503 and resp.mimetype == "text/html", (resp.request.path, resp.status_code)
            assert "系统繁忙" in html and "稍后重试" in html and resp.headers["Retry-After"] == "5"
            assert "Traceback" not in html and "psycopg" not in html and "sqlite" not in html.lower()
        for template, method, resp in (
                ("/api/v1/filings/", "get", client.get("/api/v1/filings/", headers=h)),
                ("/api/v1/filings/{pk}", "get", client.get(f"/api/v1/filings/{fid}", headers=h)),
                ("/api/v1/units/", "get", client.get("/api/v1/units/", headers=h)),
                ("/api/v1/menu/", "get", client.get("/api/v1/menu/", headers=h)),
                ("/api/v1/filings/{pk}/values", "put", client.put(
                    f"/api/v1/filings/{fid}/values", json={"values": penalty_values(120), "version": version},
                    headers=h))):
            assert resp.status_code == 503 and resp.is_json, (template, resp.status_code)
            assert "稍后重试" in resp.json["message"] and resp.headers["Retry-After"] == "5"
            spec.validate(resp, template, method)
    finally:
        monkeypatch.undo()
        dead.dispose()
    assert filler.get(f"/filings/{fid}").status_code == 200
    assert client.get(f"/api/v1/filings/{fid}", headers=h).status_code == 200
    with app.app_context():
        assert snapshot(fid) == before


def test_busy_detection_knows_down_from_broken():
    """503 for a database out of reach or busy; an ordinary bug stays a 500."""
    import sqlite3

    from sqlalchemy.exc import OperationalError, ProgrammingError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    from app.errors import is_busy

    def op(message, cls=OperationalError):
        return cls("SELECT 1", {}, sqlite3.OperationalError(message))

    assert is_busy(op("unable to open database file"))
    assert is_busy(op('connection failed: connection to server at "127.0.0.1", port 5 failed: Connection refused'))
    assert is_busy(op("database is locked"))
    assert is_busy(PoolTimeout("QueuePool limit of size 5 overflow 5 reached"))
    assert not is_busy(op("no such table: filing"))
    assert not is_busy(op("syntax error", ProgrammingError))
    assert not is_busy(RuntimeError("connection refused"))


# --- API writes carry the version they were based on -----------------------------------------


@pytest.fixture
def spec(app):
    from tests.openapi_helpers import SpecValidator

    c = app.test_client()
    resp = c.get("/api/v1/_openapi", headers=jwt(c, "admin"))
    assert resp.status_code == 200
    return SpecValidator(resp.json)


def test_api_writes_require_the_version_400_missing_409_stale(app, api, spec):
    """Two API clients read the same draft; the first saves; the second's save — without a
    version, with a non-integer one, with the stale one — overwrites nothing: 400 naming
    「version」, 400, 409. The same for transitions."""
    client, heads = api
    h = heads["dongcheng_filler"]
    with app.app_context():
        fid = drive("penalty", "0100", "2026Q1", penalty_values(), "draft").id
    read = client.get(f"/api/v1/filings/{fid}", headers=h).json["result"]["version"]
    first = client.put(f"/api/v1/filings/{fid}/values", json={"values": penalty_values(120), "version": read},
                       headers=h)
    assert first.status_code == 200 and first.json["result"]["version"] != read
    with app.app_context():
        kept, audits = snapshot(fid), audit_count()

    put, move = f"/api/v1/filings/{fid}/values", f"/api/v1/filings/{fid}/transition"
    for url, method, body in ((put, "put", {"values": penalty_values(90)}), (move, "post", {"action": "submit"})):
        template = "/api/v1/filings/{pk}/values" if url == put else "/api/v1/filings/{pk}/transition"
        for version, status in ((None, 400), ("missing", 400), ("1", 400), (True, 400), (1.0, 400), (read, 409)):
            sent = dict(body) if version == "missing" else {**body, "version": version}
            resp = client.open(url, method=method.upper(), json=sent, headers=h)
            assert resp.status_code == status, (url, version, resp.get_data(as_text=True)[:200])
            spec.validate(resp, template, method)
            if status == 400:
                assert "「version」" in resp.json["message"]
            with app.app_context():
                assert snapshot(fid) == kept and audit_count() == audits
    current = first.json["result"]["version"]
    resp = client.post(move, json={"action": "submit", "version": current}, headers=h)
    assert resp.status_code == 200 and resp.json["result"]["state"] == "pending"


def test_the_spec_says_version_is_required(spec):
    schemas = spec.spec["components"]["schemas"]
    for name in ("ValuesPutSchema", "TransitionPostSchema"):
        assert "version" in schemas[name]["required"], name


# --- FAB's own API endpoints against the spec; the spec for API consumers ----------------------


def _concrete(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: {"version": "v1"}.get(m.group(1), "1"), path)


def test_menu_and_spec_endpoints_answer_only_statuses_in_their_spec(app, api, spec):
    """FAB's /api/v1/menu/ and /api/v1/_openapi: anonymous, without the permission, with it,
    NUL in the query, an unknown version — every answer's status and body are in the spec."""
    client, heads = api
    leader = jwt(client, "leader")
    menu, openapi = "/api/v1/menu/", "/api/{version}/_openapi"
    calls = [
        (menu, client.get("/api/v1/menu/"), 401),
        (menu, client.get("/api/v1/menu/", headers=leader), 403),
        (menu, client.get("/api/v1/menu/", headers=heads["admin"]), 200),
        (menu, client.get("/api/v1/menu/?q=%00", headers=heads["admin"]), 400),
        (openapi, client.get("/api/v1/_openapi"), 401),
        (openapi, client.get("/api/v1/_openapi", headers=heads["security_admin"]), 403),
        (openapi, client.get("/api/v1/_openapi", headers=heads["dongcheng_filler"]), 403),
        (openapi, client.get("/api/v1/_openapi", headers=leader), 200),
        (openapi, client.get("/api/v9/_openapi", headers=leader), 404),
        (openapi, client.get("/api/v1/_openapi?q=%00", headers=leader), 400),
    ]
    for template, resp, status in calls:
        assert resp.status_code == status, (template, resp.status_code, status)
        spec.validate(resp, template, "get")


def test_every_operation_lists_what_the_layers_in_front_of_it_answer(app, spec):
    """Every operation of the served spec, called without credentials (401) and with a NUL in the
    query (400): both statuses and bodies are in the spec; path ids past the range are 404 there."""
    client = app.test_client()
    operations = [(p, m) for p, item in spec.spec["paths"].items() for m in item if m in ("get", "put", "post",
                                                                                         "delete", "patch")]
    assert len(operations) >= 15  # the portal's API, FAB's login, menu and spec (its security API is off)
    for path, method in operations:
        url = _concrete(path)
        for resp in (client.open(url, method=method.upper(), json={}),
                     client.open(url + "?q=%00", method=method.upper(), json={})):
            assert resp.status_code in (400, 401), (method, url, resp.status_code)
            spec.validate(resp, path, method)
        if "{pk}" in path:
            resp = client.open(path.replace("{pk}", TOO_BIG[1]), method=method.upper(), json={})
            assert resp.status_code == 404
            spec.validate(resp, path, method)


def test_a_leaders_api_key_reads_the_spec_and_swagger_loads_nothing_from_elsewhere(app, client_for):
    """The leaders' decision system signs in with a leader's API key: it reads the spec. The
    Swagger UI page loads only the portal's own files (FAB's bundled swagger-ui, no CDN)."""
    from app.models import PortalUser
    from tests.helpers import post_form
    from tests.scope_helpers import is_same_origin, url_attrs

    admin = client_for("security_admin")  # keys of service accounts: the security administrator's
    with app.app_context():
        leader_id = db.session.query(PortalUser).filter_by(username="leader").one().id
    page = post_form(admin, "/apikeys/create", {"name": "领导决策系统", "user_id": str(leader_id), "days": "30"},
                     "/apikeys/").get_data(as_text=True)
    key = re.search(r"<code>(sst_[^<]+)</code>", page).group(1)
    c = app.test_client()
    resp = c.get("/api/v1/_openapi", headers={"Authorization": f"Bearer {key}"})
    assert resp.status_code == 200 and "/api/v1/filings/{pk}/transition" in resp.json["paths"]
    assert "version" in resp.json["components"]["schemas"]["TransitionPostSchema"]["required"]

    leader = client_for("leader")
    resp = leader.get("/swagger/v1")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "SwaggerUIBundle" in html and "/api/v1/_openapi" in html
    assets = [url for _tag, _attr, url in url_attrs(html) if url.endswith((".js", ".css"))]
    assert any("swagger-ui-bundle.js" in u for u in assets) and any("swagger-ui.css" in u for u in assets)
    for url in assets:
        assert is_same_origin(url), url
        assert leader.get(url).status_code == 200, url
    assert "cdn" not in html.lower()


@pytest.mark.parametrize("value", ["xxx", "nan", "1e400", "1"])
def test_filters_never_send_the_database_a_value_its_column_cannot_hold(web, value):
    """PostgreSQL refuses such values where SQLite shrugs: a boolean filter takes FAB's "y" only
    (else a 400 naming the column); a NUMERIC column's filter is refused or ignored, never sent as text."""
    resp = web["admin"].get(f"/users/list/?_flt_0_active={value}")
    assert resp.status_code == 400 and "筛选值" in resp.get_data(as_text=True)
    assert web["admin"].get("/users/list/?_flt_0_active=y").status_code == 200
    assert web["admin"].get(f"/courses/list/?_flt_0_hours={value}").status_code in (200, 400)
