"""The audit chain against someone who can write the database: keyed links, the head's MAC, anchors.

Each attack is done the way such a person would do it, with SQL on the tables, and `flask portal
audit-verify` (its exit code through Flask's CLI runner) must report it. The attacker here has
no AUDIT_KEY unless a test says so. Anchors go to a file under tmp_path (the log is emptied after
every test, so a shared anchors file would contradict the next test).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import stat

import pytest
from sqlalchemy import select, text

from app.audit import _canonical, record, verify_chain
from app.extensions import db
from app.models import AuditLog

GENESIS = "0" * 64


def _entries(n: int, action: str = "test.event") -> list[int]:
    for i in range(n):
        record(action, "thing", i, {"n": i})
    db.session.commit()
    return list(db.session.scalars(select(AuditLog.id).where(AuditLog.action == action).order_by(AuditLog.id)))


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=["portal", *args])


def _relink_from(first_id: int, link) -> str:
    """Recompute every link from entry `first_id` on with `link(prev, entry)`, as an attacker would; the last link."""
    prev = db.session.scalar(select(AuditLog.prev_hash).where(AuditLog.id == first_id))
    for entry in db.session.scalars(select(AuditLog).where(AuditLog.id >= first_id).order_by(AuditLog.id)).all():
        new = link(prev, entry)
        db.session.execute(text("UPDATE audit_log SET prev_hash = :p, hash = :h WHERE id = :i"),
                           {"p": prev, "h": new, "i": entry.id})
        prev = new
    return prev


def _sha256_link(prev: str, entry: AuditLog) -> str:
    return hashlib.sha256((prev + _canonical(entry)).encode("utf-8")).hexdigest()


def _rewrite_detail(entry_id: int, detail: str) -> None:
    db.session.execute(text("UPDATE audit_log SET detail = :d WHERE id = :i"), {"d": detail, "i": entry_id})
    db.session.commit()
    db.session.expire_all()


# ---- the database alone ------------------------------------------------------------------------

def test_an_empty_log_without_a_head_is_intact_and_entries_without_a_head_are_not(app):
    with app.app_context():
        db.session.execute(text("DELETE FROM audit_chain_head"))
        db.session.commit()
        assert verify_chain().ok and verify_chain().checked == 0  # a new database
        ids = _entries(3)
        db.session.execute(text("DELETE FROM audit_chain_head"))  # only the head removed
        db.session.commit()
        report = verify_chain()
        assert not report.ok and report.broken_at == ids[-1] and "链尾记录缺失" in report.reason
        result = _cli(app, "audit-verify")
        assert result.exit_code == 1 and "BROKEN" in result.output


def test_rewriting_an_entry_and_relinking_everything_after_it_without_the_key_is_detected(app):
    with app.app_context():
        ids = _entries(5)
        assert _cli(app, "audit-verify").exit_code == 0
        # rewrite entry 2, recompute every later link and the head with plain SHA-256 (the old scheme)
        _rewrite_detail(ids[1], '{"n": 99}')
        last = _relink_from(ids[1], _sha256_link)
        db.session.execute(text("UPDATE audit_chain_head SET last_hash = :h"), {"h": last})
        db.session.commit()
        db.session.expire_all()
        report = verify_chain()
        assert not report.ok and report.broken_at == ids[1], report  # the rewritten entry itself
        result = _cli(app, "audit-verify")
        assert result.exit_code == 1 and f"entry {ids[1]}" in result.output


def test_links_made_with_a_guessed_key_are_detected(app):
    with app.app_context():
        ids = _entries(3)
        guessed = app.config["SECRET_KEY"]  # even the portal's other secret is not the audit key
        _rewrite_detail(ids[2], '{"n": 42}')
        last = _relink_from(ids[2], lambda prev, e: hmac.new(guessed.encode(), (prev + _canonical(e)).encode(),
                                                             hashlib.sha256).hexdigest())
        db.session.execute(text("UPDATE audit_chain_head SET last_hash = :h"), {"h": last})
        db.session.commit()
        db.session.expire_all()
        assert verify_chain().broken_at == ids[2]


def test_the_links_depend_on_the_key(app):
    with app.app_context():
        ids = _entries(2)
        assert verify_chain().ok
        report = verify_chain(audit_key="some-other-key-" + "0" * 32)
        assert not report.ok and report.broken_at == ids[0]


def test_the_head_cannot_be_set_back_to_an_earlier_entry_without_the_key(app):
    with app.app_context():
        ids = _entries(5)
        third = db.session.scalar(select(AuditLog.hash).where(AuditLog.id == ids[2]))
        # cut entries 4 and 5, and point the head at entry 3 (its number and link are in the table)
        db.session.execute(text("DELETE FROM audit_log WHERE id > :i"), {"i": ids[2]})
        db.session.execute(text("UPDATE audit_chain_head SET last_id = :i, last_hash = :h"),
                           {"i": ids[2], "h": third})
        db.session.commit()
        db.session.expire_all()
        report = verify_chain()
        assert not report.ok and "链尾校验码不符" in report.reason
        assert _cli(app, "audit-verify").exit_code == 1


def test_a_copied_earlier_head_put_back_in_front_of_later_entries_is_detected(app):
    with app.app_context():
        _entries(2)
        copies = []
        for _ in range(2):
            copies.append(db.session.execute(text("SELECT last_id, last_hash, mac FROM audit_chain_head")).one())
            _entries(1, "test.later")
        for copy in copies:  # the later entries are still there, the head says they are not
            db.session.execute(text("UPDATE audit_chain_head SET last_id = :i, last_hash = :h, mac = :m"),
                               {"i": copy.last_id, "h": copy.last_hash, "m": copy.mac})
            db.session.commit()
            report = verify_chain()
            assert not report.ok and "链尾落后于记录" in report.reason, report


def test_the_empty_logs_head_cannot_stand_in_for_a_cut_log(app):
    from app.audit import head_mac

    with app.app_context():
        _entries(3)
        # (0, GENESIS) and its MAC: the head row of a new database, which anyone could have copied then
        db.session.execute(text("UPDATE audit_chain_head SET last_id = 0, last_hash = :h, mac = :m"),
                           {"h": GENESIS, "m": head_mac(0, GENESIS)})
        db.session.commit()
        assert not verify_chain().ok


def test_appends_committed_while_verifying_are_not_taken_for_tampering(app, monkeypatch):
    import threading

    from app import audit

    original = audit._read_head
    calls = []

    def read_then_append():
        head = original()
        if not calls:  # right after the first read of the head, another worker commits two appends
            def append():
                with app.app_context():
                    record("test.meanwhile", "thing", None, {})
                    record("test.meanwhile", "thing", None, {})
                    db.session.commit()
            worker = threading.Thread(target=append)
            worker.start()
            worker.join(30)
        calls.append(head)
        return head

    with app.app_context():
        _entries(3)
        monkeypatch.setattr(audit, "_read_head", read_then_append)
        report = verify_chain()
        assert report.ok and report.checked == 5, report
        assert len(calls) == 2  # the head was read again, after the entries


# ---- anchors -----------------------------------------------------------------------------------

def test_anchor_appends_the_head_to_an_append_only_file(app, tmp_path, monkeypatch):
    path = tmp_path / "anchors.log"
    monkeypatch.setitem(app.config, "AUDIT_ANCHOR_FILE", str(path))  # the default of both commands
    sent = []
    monkeypatch.setattr("app.audit_anchor.syslog.syslog", lambda prio, msg: sent.append(msg))
    with app.app_context():
        ids = _entries(2)
        first = _cli(app, "audit-anchor")
        assert first.exit_code == 0, first.output
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        line1 = path.read_text().splitlines()[0]
        head_hash = db.session.scalar(select(AuditLog.hash).where(AuditLog.id == ids[-1]))
        assert f"last_id={ids[-1]} last_hash={head_hash} prev=- mac=" in line1
        _entries(1, "test.more")
        assert _cli(app, "audit-anchor", "--syslog").exit_code == 0
        lines = path.read_text().splitlines()
        assert lines[0] == line1 and len(lines) == 2  # appended, the first line untouched
        assert f"prev={line1.rsplit('mac=', 1)[1]}" in lines[1]  # linked to the line before
        assert sent == [lines[1]]
        result = _cli(app, "audit-verify")
        assert result.exit_code == 0 and "anchors hold: 2" in result.output, result.output


def test_a_cut_back_to_a_copied_head_passes_the_database_but_not_the_anchor(app, tmp_path):
    anchors = str(tmp_path / "anchors.log")
    with app.app_context():
        ids = _entries(3)
        # the attacker keeps a copy of the head row as it is now (a backup, a replica, or reading it)
        copy = db.session.execute(text("SELECT last_id, last_hash, mac FROM audit_chain_head")).one()
        more = _entries(2, "test.later")
        assert _cli(app, "audit-anchor", "--file", anchors).exit_code == 0  # cron anchors entry 5
        # later: entries 4 and 5 are deleted and the copied head row put back
        db.session.execute(text("DELETE FROM audit_log WHERE id > :i"), {"i": ids[-1]})
        db.session.execute(text("UPDATE audit_chain_head SET last_id = :i, last_hash = :h, mac = :m"),
                           {"i": copy.last_id, "h": copy.last_hash, "m": copy.mac})
        db.session.commit()
        db.session.expire_all()
        assert verify_chain().ok  # the database alone cannot tell: it is the state of an earlier moment
        result = _cli(app, "audit-verify", "--anchors", anchors)
        assert result.exit_code == 1
        assert f"anchor line 1, entry {more[-1]}" in result.output and "已不存在" in result.output


def test_an_anchor_catches_even_a_key_holder_rewriting_anchored_entries(app, tmp_path):
    from app.audit import chain_hash, head_mac

    anchors = str(tmp_path / "anchors.log")
    with app.app_context():
        ids = _entries(3)
        assert _cli(app, "audit-anchor", "--file", anchors).exit_code == 0
        _rewrite_detail(ids[0], '{"n": 7}')
        sm3 = functools.partial(chain_hash, scheme="hmac-sm3")  # the chain's scheme (tests: AUDIT_HASH default)
        last = _relink_from(ids[0], sm3)  # with the key: every link and the head consistent
        db.session.execute(text("UPDATE audit_chain_head SET last_hash = :h, mac = :m"),
                           {"h": last, "m": head_mac(ids[-1], last, scheme="hmac-sm3")})
        db.session.commit()
        db.session.expire_all()
        assert verify_chain().ok
        result = _cli(app, "audit-verify", "--anchors", anchors)
        assert result.exit_code == 1 and "anchor line 1" in result.output and "链接不符" in result.output


def _three_anchors(app, path) -> list[str]:
    for i in range(3):
        _entries(1, f"test.step{i}")
        assert _cli(app, "audit-anchor", "--file", str(path)).exit_code == 0
    lines = path.read_text().splitlines()
    assert len(lines) == 3
    return lines


@pytest.mark.parametrize("tamper, line, reason", [
    ("edit", 2, "锚点校验码不符"),
    ("drop", 2, "不相连"),  # line 2 removed: the old line 3, now the 2nd, no longer links to the 1st
    ("swap", 2, "不相连"),
    ("garbage", 4, "不是锚点记录"),
    ("forged", 4, "锚点校验码不符"),
])
def test_a_tampered_anchors_file_is_reported(app, tmp_path, tamper, line, reason):
    path = tmp_path / "anchors.log"
    with app.app_context():
        lines = _three_anchors(app, path)
        assert _cli(app, "audit-verify", "--anchors", str(path)).exit_code == 0
        if tamper == "edit":  # anchor 2 moved back to entry 1, its link copied from the database
            first = db.session.scalar(select(AuditLog).order_by(AuditLog.id).limit(1))
            old_id = lines[1].split("last_id=")[1].split()[0]
            old_hash = lines[1].split("last_hash=")[1].split()[0]
            lines[1] = lines[1].replace(f"last_id={old_id}", f"last_id={first.id}").replace(old_hash, first.hash)
        elif tamper == "drop":
            del lines[1]
        elif tamper == "swap":
            lines[1], lines[2] = lines[2], lines[1]
        elif tamper == "garbage":
            lines.append("portal-audit-anchor v1 at=2026-01-01T00:00:00Z last_id=1")
        elif tamper == "forged":  # a well-formed line, its MAC made with a guessed key
            body = lines[2].rsplit(" mac=", 1)[0].replace("prev=" + lines[2].split("prev=")[1].split()[0],
                                                           "prev=" + lines[2].rsplit("mac=", 1)[1])
            lines.append(f"{body} mac={hmac.new(b'guess', body.encode(), hashlib.sha256).hexdigest()}")
        path.write_text("\n".join(lines) + "\n")
        result = _cli(app, "audit-verify", "--anchors", str(path))
        assert result.exit_code == 1 and f"anchor line {line}" in result.output and reason in result.output, \
            result.output


def test_no_anchor_is_written_for_a_broken_chain(app, tmp_path):
    path = tmp_path / "anchors.log"
    with app.app_context():
        ids = _entries(3)
        assert _cli(app, "audit-anchor", "--file", str(path)).exit_code == 0
        before = path.read_bytes()
        _rewrite_detail(ids[1], '{"n": 5}')
        result = _cli(app, "audit-anchor", "--file", str(path))
        assert result.exit_code == 1 and f"BROKEN at entry {ids[1]}" in result.output
        assert path.read_bytes() == before  # nothing vouches for the tampered chain


def test_verify_without_an_anchors_file_says_so_but_checks_the_chain(app, tmp_path):
    with app.app_context():
        _entries(1)
        result = _cli(app, "audit-verify", "--anchors", str(tmp_path / "none.log"))
        assert result.exit_code == 0 and "no anchors file" in result.output


def test_an_anchor_of_the_empty_log_holds(app, tmp_path):
    path = str(tmp_path / "anchors.log")
    with app.app_context():
        db.session.execute(text("DELETE FROM audit_chain_head"))
        db.session.commit()
        result = _cli(app, "audit-anchor", "--file", path)
        assert result.exit_code == 0 and f"last_id=0 last_hash={GENESIS}" in result.output
        _entries(2)
        assert _cli(app, "audit-verify", "--anchors", path).exit_code == 0


def test_the_audit_key_comes_from_the_environment_or_a_private_instance_file(tmp_path, monkeypatch):
    import config

    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    monkeypatch.delenv("AUDIT_KEY", raising=False)
    key = config._audit_key()
    path = tmp_path / "audit_key"
    assert path.read_text().strip() == key and len(key) == 64
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert config._audit_key() == key  # generated once, then reused
    monkeypatch.setenv("AUDIT_KEY", "k" * 40)
    assert config._audit_key() == "k" * 40
    monkeypatch.setenv("AUDIT_KEY", "short")
    with pytest.raises(RuntimeError, match="at least 32"):
        config._audit_key()
