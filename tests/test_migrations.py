"""Upgrading a database that holds data keeps it: build at the previous revision, insert, upgrade.

Runs on its own SQLite file (whatever TEST_DATABASE_URL says), since it needs an empty database
to build at an old revision.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

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

        upgrade()  # to head: 0006 adds lockout and the audit hash chain, 0007 keys its links

        row = db.session.execute(text("SELECT state, version FROM filing WHERE id = 7")).one()
        assert tuple(row) == ("accepted", 3)
        assert db.session.execute(text("SELECT locked_until FROM ab_user")).all() == []
        from app.audit import record, verify_chain

        report = verify_chain()
        # the old row is linked into the chain, the re-seal of 0007 is audited after it, and 0014's
        # switch to HMAC-SM3 after that (history kept under HMAC-SHA256)
        assert report.ok and report.checked == 3
        switch = db.session.execute(text("SELECT action, detail FROM audit_log WHERE id = 3")).one()
        assert switch.action == "system.audit_scheme" and '"to": "hmac-sm3"' in switch.detail
        reseal = db.session.execute(text("SELECT action, detail FROM audit_log WHERE id = 2")).one()
        assert reseal.action == "system.audit_reseal"
        assert '"old_intact": true' in reseal.detail and '"entries": 1' in reseal.detail
        record("test.after_upgrade", "filing", 7, {"n": 1})
        db.session.commit()
        assert verify_chain().ok and verify_chain().checked == 4

        downgrade(revision="0005")  # and back: data still there
        assert db.session.execute(text("SELECT count(*) FROM filing")).scalar() == 1


def _legacy_chain_at_0006(tmp_path, rows: int = 3):
    """A database at 0006 whose audit log is chained the 0006 way (unkeyed SHA-256)."""
    from app.audit import GENESIS, legacy_chain_hash
    from app.extensions import db
    from app.models.audit import AuditLog

    app = create_app(TestConfig(f"sqlite:///{tmp_path / 'legacy.db'}"))
    with app.app_context():
        upgrade(revision="0006")
        prev = GENESIS
        for i in range(1, rows + 1):
            at = dt.datetime(2026, 11, 1, 9, i, 0, 250)
            entry = AuditLog(id=i, at=at, username="reviewer", action="filing.accept", object_type="filing",
                             object_id=i, detail={"n": i})
            link = legacy_chain_hash(prev, entry)
            db.session.execute(text(
                "INSERT INTO audit_log (id, at, username, action, object_type, object_id, detail, prev_hash, hash) "
                "VALUES (:i, :at, 'reviewer', 'filing.accept', 'filing', :i, :d, :p, :h)"),
                {"i": i, "at": at, "d": f'{{"n": {i}}}', "p": prev, "h": link})
            prev = link
        db.session.execute(text("UPDATE audit_chain_head SET last_id = :i, last_hash = :h"), {"i": rows, "h": prev})
        db.session.commit()
    return app


def test_0007_reseals_a_legacy_chain_with_keyed_links_and_downgrade_restores_it(tmp_path):
    from app.audit import legacy_chain_hash, verify_chain
    from app.extensions import db

    app = _legacy_chain_at_0006(tmp_path)
    with app.app_context():
        before = db.session.execute(text("SELECT id, hash FROM audit_log ORDER BY id")).all()
        upgrade()
        report = verify_chain()
        assert report.ok and report.checked == 5  # 3 old, 0007's re-seal, 0014's switch to HMAC-SM3
        after = db.session.execute(text("SELECT id, hash FROM audit_log ORDER BY id")).all()
        assert all(a.hash != b.hash for a, b in zip(after, before, strict=False))  # every link re-sealed
        # the keyed chain does not verify under another key: the links really are keyed
        assert verify_chain(audit_key="another-key-" + "0" * 32).broken_at == 1
        downgrade(revision="0006")  # back to unkeyed links, the old verifier's chain
        prev = "0" * 64
        from app.audit_reseal import _log  # revision 0006's columns (the ORM model is today's)

        for entry in db.session.execute(select(_log).order_by(_log.c.id)).all():
            assert entry.prev_hash == prev and entry.hash == legacy_chain_hash(prev, entry)
            prev = entry.hash
        assert db.session.execute(text("SELECT last_hash FROM audit_chain_head")).scalar() == prev


def test_0007_refuses_to_reseal_a_tampered_legacy_chain(tmp_path, monkeypatch):
    from app.extensions import db

    app = _legacy_chain_at_0006(tmp_path)
    with app.app_context():
        # someone rewrote entry 2 without recomputing its link
        db.session.execute(text("UPDATE audit_log SET detail = '{\"n\": 99}' WHERE id = 2"))
        db.session.commit()
        monkeypatch.delenv("AUDIT_RESEAL_ACCEPT_BROKEN", raising=False)
        with pytest.raises(SystemExit):  # flask-migrate logs the refusal (naming entry 2) and exits
            upgrade()
        db.session.rollback()
        # nothing was changed: still at 0006, no MAC column, no re-seal entry
        assert db.session.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0006"
        assert "mac" not in {c["name"] for c in sa.inspect(db.engine).get_columns("audit_chain_head")}
        assert db.session.execute(text("SELECT count(*) FROM audit_log")).scalar() == 3
        # the operator may accept the break; it is then written into the re-seal's audit entry
        monkeypatch.setenv("AUDIT_RESEAL_ACCEPT_BROKEN", "1")
        upgrade()
        detail = db.session.execute(text("SELECT detail FROM audit_log WHERE action = 'system.audit_reseal'")).scalar()
        assert '"old_intact": false' in detail and "entry 2" in detail
