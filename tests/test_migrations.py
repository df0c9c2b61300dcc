"""Upgrading a database that holds data keeps it: build at the previous revision, insert, upgrade.

Runs on its own SQLite file (whatever TEST_DATABASE_URL says), since it needs an empty database
to build at an old revision.
"""

from __future__ import annotations

import datetime as dt

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app import create_app
from config import TestConfig


def test_upgrade_keeps_data_and_chains_old_audit_rows(tmp_path):
    app = create_app(TestConfig(f"sqlite:///{tmp_path / 'old.db'}"))
    with app.app_context():
        from app.extensions import db

        upgrade(revision="0005")
        db.session.execute(text(
            "INSERT INTO unit (id, code, name, short_name, kind, valid_from) "
            "VALUES (1, '0100', '东城区人民政府法制办公室', '东城区', 'district', '2000-01-01')"))
        db.session.execute(text(
            "INSERT INTO filing (id, form_code, unit_id, period_key, year, sub, state, revision, version, "
            "created_at, updated_at) VALUES (7, 'penalty', 1, '2026Q2', 2026, 2, 'accepted', 1, 3, :t, :t)"),
            {"t": dt.datetime(2026, 7, 1)})
        db.session.execute(text(
            "INSERT INTO audit_log (id, at, username, action, object_type, object_id, detail) "
            "VALUES (1, :t, 'reviewer', 'filing.accept', 'filing', 7, '{\"from\": \"submitted\"}')"),
            {"t": dt.datetime(2026, 7, 2, 10, 0, 0, 123456)})
        db.session.commit()

        upgrade()  # to head: 0006 adds lockout and the audit hash chain

        row = db.session.execute(text("SELECT state, version FROM filing WHERE id = 7")).one()
        assert tuple(row) == ("accepted", 3)
        assert db.session.execute(text("SELECT locked_until FROM ab_user")).all() == []
        from app.audit import record, verify_chain

        report = verify_chain()
        assert report.ok and report.checked == 1  # the old row is linked into the chain
        record("test.after_upgrade", "filing", 7, {"n": 1})
        db.session.commit()
        assert verify_chain().ok and verify_chain().checked == 2

        downgrade(revision="0005")  # and back: data still there
        assert db.session.execute(text("SELECT count(*) FROM filing")).scalar() == 1
