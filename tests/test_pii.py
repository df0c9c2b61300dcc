"""Issue 22: citizen ids encrypted at rest (SM4-GCM, HMAC-SM3 blind index), disclosures audited,
keys rotated, backups encrypted, leavers anonymised, the audit chain on HMAC-SM3."""

from __future__ import annotations

import io
import os
import re
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from sqlalchemy import delete, select

from app.audit import verify_chain
from app.extensions import db
from app.gmcrypto import SealError, hmac_sm3, sm3_hex, sm4_gcm_encrypt
from app.models import AuditLog, Certificate, StaffMember
from app.pii import PiiKeyRefused, blind_index, current_keys
from app.pii.disclosure import ACTION
from app.staff.citizen_id import CitizenIdError, mask, parse_citizen_id
from tests.helpers import post_form
from tests.staff_helpers import certificate, make_id, person


@pytest.fixture(autouse=True)
def _clean_staff(app):
    yield
    with app.app_context():
        db.session.rollback()
        db.session.execute(delete(Certificate))
        db.session.execute(delete(StaffMember))
        db.session.commit()


# ---- the national algorithms: test vectors from the standards ------------------------------------

def test_sm3_vectors_gb_t_32905():
    assert sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert sm3_hex(b"abcd" * 16) == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def test_sm4_vector_gb_t_32907():
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    enc = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    assert (enc.update(key) + enc.finalize()).hex() == "681edf34d206965e86b3e94f536e4246"


def test_sm4_gcm_vector_rfc_8998():
    key = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
    iv = bytes.fromhex("00001234567800000000ABCD")
    aad = bytes.fromhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2")
    plain = bytes.fromhex("AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD"
                          "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA")
    ct, tag = sm4_gcm_encrypt(key, iv, plain, aad)
    assert ct.hex().upper() == ("17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
                                "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D")
    assert tag.hex().upper() == "83DE3541E4C2B58177E065A9BF7B62EC"


def test_hmac_sm3_is_rfc_2104_over_sm3():
    """HMAC-SM3 (no separate standard vector) checked against the RFC 2104 construction over SM3."""
    key, msg = b"portal-key", b"110101198503121239"

    def sm3(data):
        h = hashes.Hash(hashes.SM3())
        h.update(data)
        return h.finalize()

    k = key.ljust(64, b"\0")
    inner = sm3(bytes(b ^ 0x36 for b in k) + msg)
    assert hmac_sm3(key, msg) == sm3(bytes(b ^ 0x5C for b in k) + inner)


# ---- nothing in the clear: the raw database, its dump and a backup -------------------------------

ID_LIKE = re.compile(rb"(?<![0-9A-Za-z])\d{17}[\dX](?![0-9A-Za-z])")


def valid_ids_in(raw: bytes) -> set[str]:
    """Every 18-character string in `raw` that is a valid citizen id (ISO 7064 check digit, real date)."""
    found = set()
    for m in ID_LIKE.finditer(raw):
        try:
            found.add(parse_citizen_id(m.group().decode()).number)
        except CitizenIdError:
            pass
    return found


def _write_people(app, client_for, n: int = 12) -> list[str]:
    """Staff (directly and through the web form) and case applicants (the register's write path)."""
    from app.cases.recon import create_recon_case
    from tests.case_helpers import case_data, user

    numbers = [make_id(f"19{70 + i:02d}0{1 + i % 9}1{i % 9}", f"{300 + i:03d}") for i in range(n)]
    with app.app_context():
        for i, number in enumerate(numbers[:-2]):
            person("0100" if i % 2 else "2300", f"人员{i}", birth=number[6:14], seq=number[14:17])
        applicants = [make_id(f"19{60 + i:02d}0505", f"{700 + i:03d}") for i in range(3)]
        for i, applicant in enumerate(applicants):
            create_recon_case(case_data(applicants=[{"kind": "公民", "name": f"申请人{i}", "id_number": applicant,
                                                     "phone": "13800000000"}]), user("dongcheng_filler"))
        db.session.commit()
    c = client_for("dongcheng_filler")  # and two through the web form
    for number in numbers[-2:]:
        resp = post_form(c, "/staff/add", {"name": "表单录入", "citizen_id": number, "education": "本科",
                                           "ethnicity": "汉族", "political_status": "群众", "post": "科员",
                                           "rank": "一级科员", "major": "法学"}, "/staff/add")
        assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    return numbers + applicants


def _database_bytes(app) -> bytes:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        return Path(url.split("///", 1)[1]).read_bytes()
    from app.backup import _pg_args, _url

    with app.app_context():
        dsn, env = _pg_args(_url())
    return subprocess.run(["pg_dump", "--format=plain", "--dbname", dsn], env={**os.environ, **env},
                          check=True, capture_output=True).stdout


def test_the_scan_finds_ids_written_in_the_clear():
    """The scan below is real: the same numbers written as plain text are found."""
    number = make_id("19850312", "301")
    assert valid_ids_in(f"x,{number},y".encode()) == {number}
    assert valid_ids_in(b"a" + number.encode() + b"f") == set()  # inside a longer token: not an id


def test_no_citizen_id_in_the_raw_database_nor_in_a_plain_backup(app, client_for, tmp_path):
    numbers = _write_people(app, client_for)
    with app.app_context():  # they are there, readable through the portal
        from app.models import ReconApplicant

        held = [s.citizen_id for s in db.session.scalars(select(StaffMember))]
        held += [a.id_number for a in db.session.scalars(select(ReconApplicant))]
        assert sorted(held) == sorted(numbers)
    raw = _database_bytes(app)
    assert b"staff_member" in raw  # really the database
    assert valid_ids_in(raw) == set(), "a citizen id is stored in the clear"
    with app.app_context():
        from app.backup import backup

        target = tmp_path / "plain.backup"
        backup(target, encrypt=False)
    data = target.read_bytes()
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # pg_dump's custom format is compressed: read it back as SQL text before scanning
        data = subprocess.run(["pg_restore", "--file=-", str(target)], check=True, capture_output=True).stdout
        assert b"staff_member" in data
    assert valid_ids_in(data) == set()
    # and the masked forms in the audit trail are masks, not ids
    with app.app_context():
        details = " ".join(str(e.detail) for e in db.session.scalars(select(AuditLog)))
        assert not valid_ids_in(details.encode())


def test_uniqueness_and_exact_search_by_blind_index(app, client_for):
    number = make_id("19900101", "456")
    with app.app_context():
        person("0100", "张三", birth="19900101", seq="456")
        db.session.commit()
        assert db.session.scalar(select(StaffMember.name).where(StaffMember.citizen_id == number)) == "张三"
        assert db.session.scalar(select(StaffMember.name).where(StaffMember.citizen_id == number.lower())) == "张三"
        assert db.session.scalars(select(StaffMember.name).where(
            StaffMember.citizen_id.in_([number, make_id("19900101", "457")]))).all() == ["张三"]
        row = db.session.scalar(select(StaffMember))
        assert row.citizen_id_index == blind_index(number) and number not in (row.citizen_id_sealed or "")
    c = client_for("dongcheng_filler")
    resp = post_form(c, "/staff/add", {"name": "李四", "citizen_id": number, "education": "本科"}, "/staff/add")
    assert "「身份证号」已登记在名册中" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(StaffMember).count() == 1
        with pytest.raises(NotImplementedError):  # no LIKE on a protected field
            select(StaffMember).where(StaffMember.citizen_id.like("1101%"))


def test_a_sealed_value_is_bound_to_its_field_and_key(app):
    with app.app_context():
        p = person("0100", "张三")
        db.session.commit()
        sealed = p.citizen_id_sealed
        from app.pii import open_value

        with pytest.raises(SealError):
            open_value(sealed, "other_table.citizen_id")
        tampered = sealed[:-6] + ("A" if sealed[-6] != "A" else "B") + sealed[-5:]
        with pytest.raises(SealError):
            open_value(tampered, "staff_member.citizen_id")


# ---- who saw whose id -------------------------------------------------------------------------------

def _disclosures() -> list[AuditLog]:
    return list(db.session.scalars(select(AuditLog).where(AuditLog.action == ACTION).order_by(AuditLog.id)))


def _api(client, username, path):
    tok = client.post("/api/v1/security/login", json={"username": username, "password": "DemoPass@2026!",
                                                       "provider": "db"}).json["access_token"]
    return client.get(path, headers={"Authorization": f"Bearer {tok}"})


def test_an_unmasked_view_export_and_api_read_each_write_an_audit_row(app, client_for):
    with app.app_context():
        a, b = person("0100", "张三"), person("2300", "李四", seq="124")
        db.session.commit()
        ids, full_a = (a.id, b.id), a.citizen_id
    c = client_for("admin")
    page = post_form(c, f"/staff/citizen-id/{ids[0]}", {}, f"/staff/show/{ids[0]}").get_data(as_text=True)
    assert full_a in page and "已记入审计日志" in page
    with app.app_context():
        rows = _disclosures()
        assert [(r.username, r.object_id, r.detail["surface"]) for r in rows] == [("admin", ids[0], "staff.page")]
        assert rows[0].ip is not None
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(c.get("/staffstats/export.xlsx?full_ids=1").data)).worksheets[0]
    assert full_a in [str(x.value) for row in sheet.iter_rows() for x in row]
    api = _api(c, "admin", f"/api/v1/staff/{ids[1]}/citizen-id")
    assert api.status_code == 200 and parse_citizen_id(api.json["result"]["citizen_id"])
    with app.app_context():
        got = [(r.object_id, r.detail["surface"]) for r in _disclosures()]
        assert got == [(ids[0], "staff.page"), (ids[0], "staff.export"), (ids[1], "staff.export"),
                       (ids[1], "api.staff")]
        assert verify_chain().ok


@pytest.mark.parametrize("username", ["dongcheng_filler", "reviewer", "leader", "audit_admin"])
def test_others_cannot_see_a_whole_id_and_nothing_is_recorded(app, client_for, username):
    with app.app_context():
        sid = person("0100", "张三").id
        db.session.commit()
    c = client_for(username)
    if username != "audit_admin":
        assert "显示完整身份证号" not in c.get(f"/staff/show/{sid}").get_data(as_text=True)
    resp = post_form(c, f"/staff/citizen-id/{sid}", {}, "/")
    assert resp.status_code in (302, 403, 404) and "110101" not in resp.get_data(as_text=True)
    assert c.get("/staffstats/export.xlsx?full_ids=1").status_code in (302, 403)
    api = _api(c, username, f"/api/v1/staff/{sid}/citizen-id")
    assert api.status_code in (403, 404)
    with app.app_context():
        assert _disclosures() == []


def test_reveal_needs_a_post_and_the_persons_unit_in_scope(app, client_for):
    with app.app_context():
        sid = person("0100", "张三").id
        db.session.commit()
    c = client_for("admin")
    assert c.get(f"/staff/citizen-id/{sid}").status_code == 405
    assert post_form(c, "/staff/citizen-id/999999", {}, "/").status_code == 404
    assert c.post(f"/staff/citizen-id/{sid}").status_code == 400  # no CSRF token
    with app.app_context():
        assert _disclosures() == []


def test_the_audit_administrator_lists_disclosures_per_person(app, client_for):
    with app.app_context():
        a, b = person("0100", "张三"), person("2300", "李四", seq="124")
        db.session.commit()
        ids, full_b = (a.id, b.id), b.citizen_id
    admin = client_for("admin")
    for sid in (ids[0], ids[1], ids[1]):
        post_form(admin, f"/staff/citizen-id/{sid}", {}, "/")
    auditor = client_for("audit_admin")
    resp = auditor.get("/auditlogview/disclosures/")
    assert resp.status_code == 200, resp.status_code
    page = resp.get_data(as_text=True)
    per_person = page.split('id="per-person"')[1].split("</table>")[0]
    assert per_person.index("李四") < per_person.index("张三")  # two views before one
    assert mask(full_b) in per_person and full_b not in page
    one = auditor.get(f"/auditlogview/disclosures/?person={full_b}").get_data(as_text=True)
    detail = one.split('id="entries"')[1]
    assert detail.count("人员信息页面") == 2 and "张三" not in detail
    assert client_for("admin").get("/auditlogview/disclosures/").status_code in (302, 403)
    assert client_for("reviewer").get("/auditlogview/disclosures/").status_code in (302, 403)


# ---- keys rotate ------------------------------------------------------------------------------------

def test_key_rotation_round_trips_and_the_old_key_is_refused(app, monkeypatch):
    from app.pii.rotation import new_key, rotate_keys

    old_key = app.config["PII_KEY"]
    with app.app_context():
        p = person("0100", "张三")
        certificate(p, "行政执法证", "Z1", None)
        from app.cases.recon import create_recon_case
        from tests.case_helpers import case_data, user

        case = create_recon_case(case_data(), user("dongcheng_filler"))
        db.session.commit()
        number, old_sealed = p.citizen_id, p.citizen_id_sealed
        applicant_id = case.applicants[0].id_number
        key = new_key()
        monkeypatch.setenv("NEW_PII_KEY", key)
        monkeypatch.setenv("PII_KEY", old_key)  # as on a server whose key comes from the environment
        result = app.test_cli_runner().invoke(args=["portal", "rotate-keys", "--new-key-env", "NEW_PII_KEY"])
        assert result.exit_code == 0, result.output
        try:
            db.session.expire_all()
            # the old key: refused before writing, and it opens nothing
            with pytest.raises(PiiKeyRefused):
                current_keys(for_writing=True)
            with pytest.raises(SealError):
                _ = db.session.get(StaffMember, p.id).citizen_id
            app.config["PII_KEY"] = key
            db.session.expire_all()
            row = db.session.get(StaffMember, p.id)
            assert row.citizen_id == number and row.citizen_id_sealed != old_sealed
            assert db.session.scalar(select(StaffMember.id).where(StaffMember.citizen_id == number)) == p.id
            from app.models import ReconApplicant

            assert db.session.scalar(select(ReconApplicant.id_number_sealed).where(
                ReconApplicant.id_number == applicant_id)) is not None  # re-indexed under the new key
            entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "pii.rotate_keys"))
            assert entry.detail["fields"] == {"staff_member.citizen_id": 1, "recon_applicant.id_number": 1}
            person("0100", "李四", seq="124")  # writing works under the new key
            db.session.commit()
        finally:
            rotate_keys(old_key)  # back, for the other tests
            app.config["PII_KEY"] = old_key
        db.session.expire_all()
        assert db.session.get(StaffMember, p.id).citizen_id == number


def test_rotation_is_all_or_nothing(app, monkeypatch):
    from app.pii import rotation

    with app.app_context():
        person("0100", "张三")
        person("0100", "李四", seq="124")
        db.session.commit()
        before = sorted(db.session.scalars(select(StaffMember.citizen_id_sealed)))
        calls = {"n": 0}
        real = rotation.seal_value

        def failing(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] == 2:
                raise RuntimeError("disk full")
            return real(*args, **kwargs)

        monkeypatch.setattr(rotation, "seal_value", failing)
        with pytest.raises(RuntimeError):
            rotation.rotate_keys(rotation.new_key())
        db.session.rollback()
        assert sorted(db.session.scalars(select(StaffMember.citizen_id_sealed))) == before
        assert current_keys(for_writing=True)  # still the key in use


# ---- encrypted backups ------------------------------------------------------------------------------

def test_an_encrypted_backup_restores_and_a_wrong_key_or_a_changed_byte_is_refused(app, tmp_path, monkeypatch):
    from app.backup import BackupError, backup, restore
    from app.backup_crypto import MAGIC

    monkeypatch.setitem(app.config, "BACKUP_KEY", "ab" * 32)
    with app.app_context():
        sid = person("0100", "张三").id
        db.session.commit()
        target = tmp_path / "enc.backup"
        assert "SM4-encrypted" in backup(target)
        data = target.read_bytes()
        assert data.startswith(MAGIC) and b"SQLite format 3" not in data and b"PGDMP" not in data
        db.session.execute(delete(StaffMember))
        db.session.commit()
        monkeypatch.setitem(app.config, "BACKUP_KEY", "cd" * 32)
        with pytest.raises(BackupError, match="not the configured BACKUP_KEY"):
            restore(target)
        monkeypatch.setitem(app.config, "BACKUP_KEY", "ab" * 32)
        bad = tmp_path / "bad.backup"
        bad.write_bytes(data[:200] + bytes([data[200] ^ 1]) + data[201:])
        with pytest.raises(BackupError, match="does not authenticate"):
            restore(bad)
        assert db.session.query(StaffMember).count() == 0  # nothing restored from a refused file
        assert not list(tmp_path.glob("*.plain"))
        restore(target)
        db.session.remove()
        assert db.session.get(StaffMember, sid).name == "张三"


# ---- retention --------------------------------------------------------------------------------------

def test_anonymise_leavers_after_the_retention_period_statistics_unchanged(app):
    import datetime as dt

    from app.clock import today
    from app.pii.retention import ANONYMISED_NAME, anonymise
    from app.staff.stats import staff_stats

    with app.app_context():
        long_gone = person("0100", "张三", status="退休", left_on=today() - dt.timedelta(days=6 * 366))
        certificate(long_gone, "行政执法证", "Z1", None)
        recent = person("0100", "李四", seq="124", status="调离", left_on=today() - dt.timedelta(days=400))
        working = person("0100", "王五", seq="125")
        db.session.commit()
        ids = {long_gone.id, recent.id, working.id}
        number = long_gone.citizen_id
        before = staff_stats(None, today(), today().year)
        assert anonymise(today(), dry_run=True) == {"staff": 1, "cases": 0}
        assert db.session.get(StaffMember, long_gone.id).name == "张三"
        assert anonymise(today()) == {"staff": 1, "cases": 0}
        db.session.expire_all()
        gone = db.session.get(StaffMember, long_gone.id)
        assert (gone.name, gone.citizen_id, gone.citizen_id_index) == (ANONYMISED_NAME, None, None)
        assert gone.certificates[0].number != "Z1"
        assert {db.session.get(StaffMember, i).name for i in ids - {long_gone.id}} == {"李四", "王五"}
        assert staff_stats(None, today(), today().year) == before
        assert db.session.scalar(select(StaffMember.id).where(StaffMember.citizen_id == number)) is None
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "pii.anonymise"))
        assert entry.object_id == long_gone.id and "张三" not in str(entry.detail)
        assert anonymise(today()) == {"staff": 0, "cases": 0}  # done once


# ---- the audit chain on HMAC-SM3 ------------------------------------------------------------------

def test_new_entries_are_linked_with_hmac_sm3_and_a_switch_keeps_anchors_valid(app, tmp_path):
    from app.audit import ENTRY_KEY, chain_hash, derived_key, record
    from app.models.audit import AuditChainHead

    anchors = str(tmp_path / "anchors.log")
    with app.app_context():
        record("test.one", "thing", 1, {"n": 1})
        db.session.commit()
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "test.one"))
        key = derived_key(ENTRY_KEY, scheme="hmac-sm3")
        assert entry.hash == chain_hash(entry.prev_hash, entry, key, "hmac-sm3")
        assert db.session.get(AuditChainHead, 1).scheme == "hmac-sm3"
        runner = app.test_cli_runner()
        assert runner.invoke(args=["portal", "audit-anchor", "--file", anchors]).exit_code == 0
        assert "now uses hmac-sha256" in runner.invoke(args=["portal", "audit-scheme", "hmac-sha256"]).output
        record("test.two", "thing", 2, {"n": 2})
        db.session.commit()
        two = db.session.scalar(select(AuditLog).where(AuditLog.action == "test.two"))
        assert two.hash == chain_hash(two.prev_hash, two, derived_key(ENTRY_KEY, scheme="hmac-sha256"), "hmac-sha256")
        assert runner.invoke(args=["portal", "audit-scheme", "hmac-sm3"]).exit_code == 0
        record("test.three", "thing", 3, {"n": 3})
        db.session.commit()
        db.session.expire_all()
        assert verify_chain().ok
        result = runner.invoke(args=["portal", "audit-verify", "--anchors", anchors])
        assert result.exit_code == 0, result.output
        # the scheme of an entry cannot be swapped without the key: flip the switch entry's target
        switch = db.session.scalars(select(AuditLog).where(AuditLog.action == "system.audit_scheme")
                                    .order_by(AuditLog.id)).all()[-1]
        db.session.execute(AuditLog.__table__.update().where(AuditLog.id == switch.id)
                           .values(detail={"from": "hmac-sha256", "to": "hmac-sha256"}))
        db.session.commit()
        db.session.expire_all()
        report = verify_chain()
        assert not report.ok and report.broken_at == switch.id


def test_anonymise_closed_cases_after_their_retention_period(app, monkeypatch):
    import datetime as dt

    from app.cases.recon import create_recon_case
    from app.clock import today
    from app.models import ReconApplicant, ReconCase
    from app.pii.retention import ANONYMISED_NAME, anonymise
    from tests.case_helpers import case_data, user

    monkeypatch.setitem(app.config, "PII_RETENTION_CASE_YEARS", 1)
    with app.app_context():
        old = create_recon_case(case_data(receipt="2023-03-01", applicants=[
            {"kind": "公民", "name": "老案申请人", "id_number": make_id("19700101", "801"), "phone": "13900000000"}]),
            user("dongcheng_filler"))
        recent = create_recon_case(case_data(receipt=str(today() - dt.timedelta(days=30))), user("dongcheng_filler"))
        db.session.commit()
        db.session.execute(ReconCase.__table__.update().where(ReconCase.id == old.id)
                           .values(decided_on=dt.date(2023, 5, 1), outcome="o_upheld"))
        db.session.commit()
        before = db.session.scalar(select(db.func.count()).select_from(ReconCase))
        assert anonymise(today()) == {"staff": 0, "cases": 1}
        db.session.expire_all()
        gone = db.session.scalars(select(ReconApplicant).where(ReconApplicant.case_id == old.id)).one()
        assert (gone.name, gone.id_number, gone.phone, gone.id_number_index) == (ANONYMISED_NAME, None, None, None)
        kept = db.session.scalars(select(ReconApplicant).where(ReconApplicant.case_id == recent.id)).one()
        assert kept.name == "张三" and kept.id_number
        assert db.session.scalar(select(db.func.count()).select_from(ReconCase)) == before  # cases stay
        assert db.session.scalar(select(AuditLog).where(AuditLog.action == "pii.anonymise")).object_id == old.id
