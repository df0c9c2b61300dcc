from tests.helpers import penalty_values, post_form


def test_filler_opens_and_saves_a_filing(app, client_for):
    c = client_for("dongcheng_filler")
    r = post_form(c, "/filings/penalty/open", {"period": "2026Q3"}, "/filings/penalty/")
    assert r.status_code == 302
    fid = int(r.headers["Location"].rstrip("/").split("/")[-2])
    r = post_form(c, f"/filings/{fid}/edit", penalty_values(), f"/filings/{fid}/edit")
    assert r.status_code == 302
    from app.extensions import db
    from app.filing.values import current_values
    from app.models import Filing

    with app.app_context():
        f = db.session.get(Filing, fid)
        assert current_values(f)["amount_fines"] == 5_000_000
