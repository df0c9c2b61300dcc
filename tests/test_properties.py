"""Issue 8, Security — bad input everywhere, property-based (hypothesis).

Over every field of every declared form (app.forms.FORMS), through the web edit form and the
API's PUT values: arbitrary text, huge and negative numbers, unicode digits, JSON types, HTML
and script payloads. Properties: never a 5xx; no partial write (the filing, its value rows,
transitions and audit rows are unchanged unless the save succeeded, and then every figure is
exactly what the form's parser makes of the input); a <script> payload never comes back raw in
HTML. Over the API query parameters of /api/v1/filings/, /periods/, /timeliness/ and /staff/
(and the filing list page): never a 5xx, always JSON (HTML for the page, escaped).

Known-dangerous values (KILLERS: the inputs that broke a parser, a column or a page) go
through every field and parameter deterministically first; hypothesis then explores at random.
Each test logs its clients in and creates its filings once, in its own body; the @given
function inside it takes no pytest fixture, so no function-scoped fixture is shared between
examples (the autouse cleanup runs once, after the test) and no health check needs silencing.
Example counts are modest; the example database is off (nothing written to the work tree).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extensions import db
from app.filing.values import current_values
from app.forms import FORMS
from app.forms.base import CHOICE, TEXT
from app.models import Filing
from tests.concurrency_helpers import jwt
from tests.engine_helpers import audit_count, drive, snapshot
from tests.helpers import csrf_token, litigation_values, penalty_values, reconsideration_values

SCRIPT = "<script>alert(1)</script>"
PAYLOADS = [
    SCRIPT, f'"><{SCRIPT[1:]}', "<img src=x onerror=alert(1)>", "' OR 1=1 --", "{{7*7}}", "%s%n",
    "", " ", "0", "-0", "-1", "+5", "--5", "1,234", "１２３", "٣", "²", "9" * 30, "-" + "9" * 30, "9" * 5000,
    "2147483647", "2147483648", "1e999999", "-1e999999", "1e-999999", "NaN", "Infinity", "0.001", "12.345",
    "1" * 200, "\u202egnp.exe", "\ufeff1", "\x00", "a\x00b", "\x07\x1b[31m", "北京市", "standalone", "合署办公",
]
PERIOD_OF = {"quarter": "2026Q1", "half": "2025H2", "year": "2025"}


def _spec(form):
    """The form version of the period the drafts are filed for."""
    from app.forms import get_form

    return get_form(form, PERIOD_OF[FORMS[form].period_kind])


def institution_values() -> dict[str, str]:
    return {"setup_form": "standalone", "authorised_posts": "10", "headcount": "0",
            "reconsideration_staff": "0", "litigation_staff": "0", "head_name": "张三",
            "phone": "010-12345678", "address": "北京市东城区",
            # the 2026 version's 行政复议人员资格 work (ignored by earlier versions)
            "q_trained": "0", "q_passed": "0", "q_failed": "0", "q_issued": "0", "q_valid": "0"}


VALID = {"penalty": penalty_values, "reconsideration": reconsideration_values,
         "litigation": litigation_values, "institution": institution_values}


def _text(max_size=30):
    return st.text(st.characters(exclude_categories=("Cs",)), max_size=max_size)  # a form can't send surrogates


def web_value():
    return st.one_of(st.sampled_from(PAYLOADS), _text(),
                     st.integers(-10**30, 10**30).map(str), st.floats().map(repr),
                     st.decimals(allow_nan=True, allow_infinity=True).map(str))


def json_value():
    return st.one_of(web_value(), st.text(max_size=8),  # JSON may carry lone surrogates
                     st.integers(-10**30, 10**30), st.floats(), st.booleans(), st.none(),
                     st.lists(st.integers(), max_size=3),
                     st.dictionaries(st.text(max_size=4), st.integers(), max_size=2))


def _edits(form, value_strategy, explanation_key):
    """A mutation of the valid input: some fields (and maybe the explanation) replaced."""
    keys = [*_spec(form).field_names, explanation_key]
    return st.dictionaries(st.sampled_from(keys), value_strategy, max_size=4)


def _drafts(app) -> dict[str, int]:
    assert set(VALID) == set(FORMS), "a form without valid sample values: add it to VALID"
    with app.app_context():
        return {code: drive(code, "0100", PERIOD_OF[spec.period_kind], VALID[code](), "draft").id
                for code, spec in FORMS.items()}


def _written_exactly(fid, form, raw, explanation) -> None:
    """After a successful save: every figure is what the parser makes of the whole input."""
    parsed, errors = _spec(form).parse(raw)
    assert not errors, errors
    db.session.expire_all()
    f = db.session.get(Filing, fid)
    assert current_values(f) == parsed
    if isinstance(explanation, str):
        assert f.explanation == (explanation.strip() or None)


def _no_script(resp) -> None:
    if resp.mimetype == "text/html":
        assert SCRIPT not in resp.get_data(as_text=True)


# Values that broke (or would break) a parser, a column or a page: every one goes through every
# field and every channel deterministically, besides the random exploration below.
KILLERS = ["--5", "+-5", "9" * 5000, "-" + "9" * 30, "1e999999", "-1e999999", "1E+30", "²", "٣", "\x07",
           SCRIPT, "x" * 300, " ", "0.001"]
JSON_KILLERS = [*KILLERS, "\ud800", "a\x00b", [1], {"a": 1}, True, None, 1e308, float("nan"), float("inf"),
                10**30, -1]


def _storable(field, value) -> bool:
    """A value the parser accepted fits its column."""
    from app.forms.base import COUNT, COUNT_MAX, MONEY, bad_char
    from app.money import MAX_FEN

    if field.kind == COUNT:
        return type(value) is int and 0 <= value <= COUNT_MAX
    if field.kind == MONEY:
        return type(value) is int and 0 <= value <= MAX_FEN
    if field.kind == CHOICE:
        return value in dict(field.choices)
    return isinstance(value, str) and len(value) <= field.max_length and not any(bad_char(c) for c in value)


def _check_parse(field, raw) -> None:
    value, error = field.parse(raw)  # never raises
    assert (error is None) != (value is None) or (error is None and not field.required)
    if error is None and value is not None:
        assert _storable(field, value), (field.name, raw, value)


def test_every_field_of_every_form_parses_every_killer():
    for spec in FORMS.values():
        for field in spec.fields:
            for raw in [*JSON_KILLERS, *PAYLOADS]:
                _check_parse(field, raw)


# The one function-scoped fixture here is conftest's autouse cleanup, which only deletes rows
# after the test; this test touches no database and no fixture, so sharing it across examples
# is harmless — hence the health check is suppressed for this test alone.
@settings(max_examples=300, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from([f for spec in FORMS.values() for f in spec.fields]), json_value())
def test_every_field_parses_any_value(field, raw):
    _check_parse(field, raw)


def _text_fields(form, value) -> dict:
    return {f.name: value for f in _spec(form).fields if f.kind == TEXT}


def _web_save(app, client, token, form, fid, raw) -> None:
    """POST the edit form; never 5xx, nothing or everything written, no raw script in HTML."""
    with app.app_context():
        before, audits = snapshot(fid), audit_count()
    resp = client.post(f"/filings/{fid}/edit", data={**raw, "_version": str(before[2]), "csrf_token": token})
    assert resp.status_code < 500, resp.get_data(as_text=True)[:500]
    _no_script(resp)
    if resp.status_code == 302:
        _no_script(client.get(resp.headers["Location"]))
        with app.app_context():
            _written_exactly(fid, form, raw, raw.get("_explanation"))
    else:
        assert resp.status_code in (200, 400), resp.status_code
        with app.app_context():
            assert snapshot(fid) == before and audit_count() == audits


def _api_save(app, client, headers, form, fid, raw, explanation=None, version="current") -> None:
    """PUT values; never 5xx, always JSON, nothing or everything written."""
    with app.app_context():
        before, audits = snapshot(fid), audit_count()
    body = {"values": raw, "version": before[2] if version == "current" else version}
    if explanation is not None:
        body["explanation"] = explanation
    resp = client.put(f"/api/v1/filings/{fid}/values", json=body, headers=headers)
    assert resp.status_code < 500, resp.get_data(as_text=True)[:500]
    assert resp.is_json
    if resp.status_code == 200:
        with app.app_context():
            _written_exactly(fid, form, raw, explanation)
    else:
        assert resp.status_code in (400, 409), resp.status_code
        with app.app_context():
            assert snapshot(fid) == before and audit_count() == audits


def test_web_edit_form_any_input(app, client_for):
    client = client_for("dongcheng_filler")
    drafts = _drafts(app)
    token = csrf_token(client, f"/filings/{drafts['penalty']}/edit")
    for form in ("penalty", "institution"):  # between them: count, money, text and choice fields
        for killer in KILLERS:
            raw = {name: killer for name in _spec(form).field_names}
            _web_save(app, client, token, form, drafts[form], {**raw, "_explanation": killer})
            # Text is accepted as typed, so it reaches the database: alone among valid figures.
            _web_save(app, client, token, form, drafts[form], {**VALID[form](), **_text_fields(form, killer)})

    @settings(max_examples=30, deadline=None, database=None)
    @given(st.data())
    def run(data):
        form = data.draw(st.sampled_from(sorted(FORMS)))
        raw = {**VALID[form](), **data.draw(_edits(form, web_value(), "_explanation"))}
        _web_save(app, client, token, form, drafts[form], raw)

    run()


def test_api_put_values_any_input(app):
    client = app.test_client()
    h = jwt(client, "dongcheng_filler")
    drafts = _drafts(app)
    for form in sorted(FORMS):
        for killer in JSON_KILLERS:
            _api_save(app, client, h, form, drafts[form], {name: killer for name in _spec(form).field_names},
                      explanation=killer)
            if _text_fields(form, killer):
                _api_save(app, client, h, form, drafts[form], {**VALID[form](), **_text_fields(form, killer)})

    for version in (float("inf"), 1e300, "x", [1], True):
        _api_save(app, client, h, "penalty", drafts["penalty"], VALID["penalty"](), version=version)

    @settings(max_examples=40, deadline=None, database=None)
    @given(st.data())
    def run(data):
        form = data.draw(st.sampled_from(sorted(FORMS)))
        edits = data.draw(_edits(form, json_value(), "explanation"))
        explanation = edits.pop("explanation", None)
        version = data.draw(st.sampled_from(["current", None, "x", 1e300, -1, True]))
        _api_save(app, client, h, form, drafts[form], {**VALID[form](), **edits}, explanation, version)

    run()


def test_every_text_and_choice_field_is_exercised():
    """The strategies above reach every kind of field of every form (guards the sample data)."""
    kinds = {f.kind for spec in FORMS.values() for f in spec.fields}
    assert {TEXT, CHOICE} <= kinds
    for code in FORMS:  # the version the tests file for (PERIOD_OF)
        parsed, errors = _spec(code).parse(VALID[code]())
        assert not errors, (code, errors)


QUERY_KILLERS = ["0000Q1", "9999Q4", "1899", "3000H2", "2026Q5", "²", "٣", "9" * 30, "99999999999", "100001",
                 "-1", "0", "1e3", " ", SCRIPT]
QUERY_VALUES = st.one_of(
    st.sampled_from(["1", "2", "100", "penalty", "institution", "nope", "2026Q1", "2026H1", "2025", "2026q1",
                     " 2026Q1 ", "draft", "accepted", "在职", "\x00", "", *QUERY_KILLERS]),
    _text(12), st.integers(-10**25, 10**25).map(str))
QUERY = st.dictionaries(st.sampled_from(["page", "page_size", "form", "period", "state", "from_year", "status"]),
                        QUERY_VALUES, max_size=5)
ENDPOINTS = {  # each API's parameters, with a valid value for each
    "/api/v1/filings/": {"page": "1", "page_size": "20", "form": "penalty", "period": "2026Q1", "state": "accepted"},
    "/api/v1/periods/": {"form": "penalty", "from_year": "2024"},
    "/api/v1/timeliness/": {"form": "penalty", "period": "2026Q1"},
    "/api/v1/staff/": {"page": "1", "page_size": "20", "status": "在职"},
}


def _api_get(client, path, query, headers) -> None:
    resp = client.get(path, query_string=query, headers=headers)
    assert resp.status_code < 500, (path, query, resp.get_data(as_text=True)[:300])
    assert resp.is_json, (path, query, resp.mimetype)
    assert resp.status_code in (200, 400), (path, query, resp.status_code)


def test_api_query_parameters_any_input(app):
    client = app.test_client()
    heads = [jwt(client, "reviewer"), jwt(client, "dongcheng_filler")]
    with app.app_context():
        drive("penalty", "0100", "2026Q1", penalty_values(), "accepted")
    for path, valid in ENDPOINTS.items():
        _api_get(client, path, valid, heads[0])
        for name in valid:
            for killer in QUERY_KILLERS:
                _api_get(client, path, {**valid, name: killer}, heads[0])

    @settings(max_examples=40, deadline=None, database=None)
    @given(st.sampled_from(sorted(ENDPOINTS)), QUERY, st.sampled_from(heads))
    def run(path, query, headers):
        _api_get(client, path, query, headers)

    run()


def _list_page(client, form, query) -> None:
    resp = client.get(f"/filings/{form}/", query_string=query)
    assert resp.status_code in (200, 400), (query, resp.status_code)
    _no_script(resp)


def test_filing_list_page_query_any_input(app, client_for):
    client = client_for("reviewer")
    with app.app_context():
        drive("penalty", "0100", "2026Q1", penalty_values(), "accepted")
    for name in ("year", "sub", "unit", "state", "page"):
        for killer in QUERY_KILLERS:
            _list_page(client, "penalty", {name: killer})

    @settings(max_examples=15, deadline=None, database=None)
    @given(st.sampled_from(sorted(FORMS)),
           st.dictionaries(st.sampled_from(["year", "sub", "unit", "state", "page"]), QUERY_VALUES, max_size=4))
    def run(form, query):
        _list_page(client, form, query)

    run()


def test_nul_refused_everywhere_before_any_query(app, client_for):
    """NUL cannot be stored by PostgreSQL: refused up front (400), on pages, forms and the API."""
    c = app.test_client()
    h = jwt(c, "dongcheng_filler")
    with app.app_context():
        fid = drive("institution", "0100", "2025", institution_values(), "draft").id
        before, audits = snapshot(fid), audit_count()
    for resp in (
        c.get("/api/v1/filings/?period=2026Q1%00", headers=h),
        c.put(f"/api/v1/filings/{fid}/values", json={"values": {**institution_values(), "head_name": "a\x00"}},
              headers=h),
        c.post("/api/v1/security/login", json={"username": "dongcheng_filler\x00", "password": "x", "provider": "db"}),
    ):
        assert resp.status_code == 400 and resp.is_json and "无效字符" in resp.json["message"]
    web = client_for("dongcheng_filler")
    assert web.get("/filings/penalty/?state=%00").status_code == 400
    resp = web.post(f"/filings/{fid}/edit", data={**institution_values(), "address": "x\x00",
                                                  "csrf_token": csrf_token(web, f"/filings/{fid}/edit")})
    assert resp.status_code == 400 and "无效字符" in resp.get_data(as_text=True)
    resp = app.test_client().post("/login/", data={"username": "admin\x00", "password": "x"})
    assert resp.status_code == 400
    with app.app_context():
        assert snapshot(fid) == before and audit_count() == audits


# --- FAB's list arguments on every list view (issue 14, item 10) ------------------------------

LIST_WEB_ROLES = ("admin", "security_admin", "audit_admin", "reviewer", "dongcheng_filler")


def _list_viewers(app, client_for) -> dict:
    """{view: client of the first role that sees its list} for every FAB list view of the app."""
    from flask_appbuilder.baseviews import BaseCRUDView

    clients = {name: client_for(name) for name in LIST_WEB_ROLES}
    viewers = {}
    for view in (v for v in app.appbuilder.baseviews if isinstance(v, BaseCRUDView)):
        url = f"{view.route_base}/list/"
        viewers[view] = next(c for c in clients.values() if c.get(url).status_code == 200)
    return viewers


def _list_args(view):
    """FAB's list arguments of `view`: paging, sorting and every filter of every search column."""
    name = type(view).__name__
    keys = [f"page_{name}", f"psize_{name}", f"_oc_{name}", f"_od_{name}"]
    keys += [f"_flt_{i}_{column}" for column in view._filters.get_search_filters() for i in (0, 1, 2, 9)]
    values = st.one_of(QUERY_VALUES, st.sampled_from([*view.order_columns, "asc", "desc", "0", "-5", TEXT_BOMB]))
    return st.dictionaries(st.sampled_from(keys), values, min_size=1, max_size=4)


TEXT_BOMB = "x" * 3000


def test_fab_list_arguments_any_input(app, client_for):
    """Every FAB list view, for a role that sees it, with any mix of its paging, sorting and filter
    arguments: a normal page or a 400 in Chinese — never a 5xx, never a raw script."""
    viewers = _list_viewers(app, client_for)
    views = sorted(viewers, key=lambda v: type(v).__name__)

    @settings(max_examples=60, deadline=None, database=None)
    @given(st.data())
    def run(data):
        view = data.draw(st.sampled_from(views))
        query = data.draw(_list_args(view))
        resp = viewers[view].get(f"{view.route_base}/list/", query_string=query)
        assert resp.status_code in (200, 400), (type(view).__name__, query, resp.status_code)
        _no_script(resp)
        if resp.status_code == 400:
            assert "请求无效" in resp.get_data(as_text=True)

    run()


# --- the staff, feedback and notice forms (issue 14, item 10) ---------------------------------

FORM_TEXT = st.one_of(st.sampled_from([*PAYLOADS, *KILLERS, "x" * 70, "y" * 5000, "\x00"]), _text(40),
                      st.integers(-10**30, 10**30).map(str))


def _form_rows(app) -> dict:
    """Row counts of everything the staff, feedback and notice forms write, and the audit rows."""
    from sqlalchemy import func, select

    from app.models import Feedback, FeedbackReply, Notice, NoticeTarget, StaffMember

    with app.app_context():
        counts = {m.__name__: db.session.scalar(select(func.count()).select_from(m))
                  for m in (StaffMember, Feedback, FeedbackReply, Notice, NoticeTarget)}
        return {**counts, "audit": audit_count()}


def _clean_form_rows(app) -> None:
    from sqlalchemy import delete

    from app.models import Attachment, Feedback, FeedbackReply, Notice, NoticeRead, NoticeTarget, StaffMember

    with app.app_context():
        db.session.rollback()
        for model in (NoticeRead, NoticeTarget, Attachment, FeedbackReply, Feedback, Notice, StaffMember):
            db.session.execute(delete(model))
        db.session.commit()


def _form_post(app, client, path, data, token, written: str):
    """POST a form: never a 5xx, no raw script; either the form again (200/400) with nothing
    written, or a redirect after writing exactly one `written` row (and its audit rows)."""
    before = _form_rows(app)
    resp = client.post(path, data={**data, "csrf_token": token})
    assert resp.status_code < 500, (path, data, resp.get_data(as_text=True)[:300])
    _no_script(resp)
    after = _form_rows(app)
    if resp.status_code == 302:
        _no_script(client.get(resp.headers["Location"]))
        grown = {k for k in after if after[k] != before[k]}
        assert after[written] == before[written] + 1 and grown <= {written, "NoticeTarget", "audit"}, grown
    else:
        assert resp.status_code in (200, 400), resp.status_code
        assert after == before, (path, data)
    return resp


_STAFF_SEQ = iter(range(100, 1000))


def _staff_values(**edits) -> dict:
    from tests.staff_helpers import make_id

    return {"name": "张三", "citizen_id": make_id(seq=str(next(_STAFF_SEQ))), "ethnicity": "汉族", "education": "本科",
            "major": "法学", "law_major": "y", "political_status": "群众", "post": "科员", "rank": "一级科员",
            "start_date": "2010-07-01", **edits}


STAFF_TEXT_FIELDS = ("name", "citizen_id", "ethnicity", "education", "major", "political_status", "post",
                     "rank", "start_date", "law_major", "passed_legal_exam")


STAFF_EDIT_FIELDS = ("name", "ethnicity", "education", "major", "political_status", "post", "rank", "start_date",
                     "status", "left_on", "law_major", "passed_legal_exam")
STAFF_EDIT_VALUES = {"name": "李四", "ethnicity": "汉族", "education": "硕士", "major": "法学",
                     "political_status": "群众", "post": "科员", "rank": "一级科员", "start_date": "2011-07-01",
                     "status": "在职", "left_on": ""}


def audit_count_in(app) -> int:
    with app.app_context():
        return audit_count()


def test_staff_form_any_input(app, client_for):
    """登记人员 and 修改人员信息 with any text in any field: a person registered or saved as typed
    (the unit always the account's), or the form comes back and nothing is written."""
    from app.models import StaffMember

    filler = client_for("dongcheng_filler")
    token = csrf_token(filler, "/staff/add")

    def post(edits):
        values = _staff_values(**edits)
        resp = _form_post(app, filler, "/staff/add", values, token, "StaffMember")
        if resp.status_code == 302:
            with app.app_context():
                row = db.session.query(StaffMember).order_by(StaffMember.id.desc()).first()
                assert row.name == values["name"] and row.unit.code == "0100"

    def row(pk):
        with app.app_context():
            p = db.session.get(StaffMember, pk)
            return tuple(getattr(p, c) for c in (*STAFF_EDIT_FIELDS, "unit_id", "citizen_id"))

    def edit(pk, edits):
        """修改人员信息: the person saved as typed, or left exactly as they were."""
        before, audits = row(pk), audit_count_in(app)
        values = {**STAFF_EDIT_VALUES, **edits}
        resp = filler.post(f"/staff/edit/{pk}", data={**values, "csrf_token": token})
        assert resp.status_code < 500, (edits, resp.get_data(as_text=True)[:300])
        _no_script(resp)
        if resp.status_code == 302:
            _no_script(filler.get(resp.headers["Location"]))
            with app.app_context():
                p = db.session.get(StaffMember, pk)
                assert (p.name, p.status, p.unit.code) == (values["name"], values["status"], "0100")
        else:
            assert resp.status_code in (200, 400) and row(pk) == before and audit_count_in(app) == audits

    try:
        post({"name": "\x00"})
        for field in STAFF_TEXT_FIELDS:
            for killer in (SCRIPT, "9" * 30, "x" * 300):
                post({field: killer})
        post({})
        with app.app_context():
            pk = db.session.query(StaffMember.id).order_by(StaffMember.id.desc()).first()[0]
        for field in STAFF_EDIT_FIELDS:
            for killer in (SCRIPT, "9" * 30, "x" * 300):
                edit(pk, {field: killer})

        @settings(max_examples=20, deadline=None, database=None)
        @given(st.dictionaries(st.sampled_from(STAFF_TEXT_FIELDS), FORM_TEXT, max_size=4),
               st.dictionaries(st.sampled_from(STAFF_EDIT_FIELDS), FORM_TEXT, max_size=3))
        def run(edits, changes):
            post(edits)
            edit(pk, changes)

        run()
    finally:
        _clean_form_rows(app)


def test_feedback_form_and_reply_any_input(app, client_for):
    """问题反馈 and its replies with any text: a report or reply written as typed (stripped), or
    the form again with nothing written; the state never leaves its three values."""
    from app.models import Feedback
    from app.models.notice import FEEDBACK_STATES

    unit, office = client_for("dongcheng_filler"), client_for("reviewer")
    categories = st.sampled_from(["software", "network", "filing", "other", "nope", "", SCRIPT, "\x00"])
    try:
        token = csrf_token(unit, "/feedback/new")
        for killer in (SCRIPT, "\x00", "9" * 30, "z" * 3000, " ", ""):
            _form_post(app, unit, "/feedback/new", {"category": "software", "title": killer,
                                                    "description": killer}, token, "Feedback")
        fid = int(_form_post(app, unit, "/feedback/new", {"category": "software", "title": "页面报错",
                                                          "description": "打不开"}, token, "Feedback")
                  .headers["Location"].rstrip("/").split("/")[-1])
        office_token = csrf_token(office, f"/feedback/{fid}")

        @settings(max_examples=25, deadline=None, database=None)
        @given(categories, FORM_TEXT, FORM_TEXT, st.sampled_from(["", "open", "in_progress", "resolved", "x", "\x00"]),
               st.booleans())
        def run(category, title, text, state, by_office):
            resp = _form_post(app, unit, "/feedback/new", {"category": category, "title": title,
                                                            "description": text}, token, "Feedback")
            if resp.status_code == 302:
                with app.app_context():
                    fb = db.session.query(Feedback).order_by(Feedback.id.desc()).first()
                    assert fb.title == title.strip() and fb.category == category
            client, tok = (office, office_token) if by_office else (unit, token)
            before = _form_rows(app)
            resp = client.post(f"/feedback/{fid}/reply", data={"body": text, "state": state, "csrf_token": tok})
            assert resp.status_code in (302, 400), resp.status_code
            _no_script(resp)
            after = _form_rows(app)
            assert after["FeedbackReply"] - before["FeedbackReply"] in (0, 1)
            if after["FeedbackReply"] == before["FeedbackReply"]:
                assert after == before
            with app.app_context():
                assert db.session.get(Feedback, fid).state in FEEDBACK_STATES

        run()
    finally:
        _clean_form_rows(app)


def test_notice_form_any_input(app, client_for):
    """发布通知 with any title, body, audience and unit list (huge, negative, non-ASCII digits):
    a notice addressed exactly as chosen, or the form again with nothing written."""
    from app.models import Notice

    office = client_for("reviewer")
    token = csrf_token(office, "/notices/new")
    with app.app_context():
        from app.unit_list import unit_by_code

        dongcheng = str(unit_by_code("0100").id)
    unit_ids = st.lists(st.sampled_from([dongcheng, "99999999999999999999", "2147483648", "²", "٣", "-1", "0",
                                         "abc", "\x00", ""]), max_size=3)
    audiences = st.sampled_from(["all", "kinds", "units", "", "nope", SCRIPT])
    groups = st.lists(st.sampled_from(["district", "bureau", "nope", SCRIPT, ""]), max_size=2)

    def post(title, body, audience_, group_list, units):
        resp = _form_post(app, office, "/notices/new", {"title": title, "body": body, "audience": audience_,
                                                        "groups": group_list, "units": units}, token, "Notice")
        if resp.status_code == 302:
            with app.app_context():
                notice = db.session.query(Notice).order_by(Notice.id.desc()).first()
                assert notice.title == title.strip() and notice.audience == audience_

    try:
        for units in (["99999999999999999999"], ["²"], ["2147483648"], ["-1"], [dongcheng, "٣"]):
            post("通知", "请按时报送。", "units", [], units)
        for killer in (SCRIPT, "\x00", "t" * 300, " "):
            post(killer, killer, "all", [], [])

        @settings(max_examples=30, deadline=None, database=None)
        @given(FORM_TEXT, FORM_TEXT, audiences, groups, unit_ids)
        def run(title, body, audience_, group_list, units):
            post(title, body, audience_, group_list, units)

        run()
    finally:
        _clean_form_rows(app)
