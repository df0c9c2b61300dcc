"""Test fixtures: one migrated database per session (SQLite, or TEST_DATABASE_URL for
PostgreSQL), the unit list, the roles, and an account for every role in two units
(东城区 0100, 市公安局 2300) — the demo accounts. Each test's rows are removed after it."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import delete, select, text

from app import create_app
from app.extensions import db
from config import TestConfig

# A loaded CI machine makes input generation slow, never wrong: the timing health check and
# per-example deadlines would fail tests for the machine's sake, not the code's.
settings.register_profile("portal", suppress_health_check=[HealthCheck.too_slow], deadline=None)
settings.load_profile("portal")

# The closing line counting browser, PostgreSQL and property tests.
pytest_plugins = ("tests.suite_summary",)


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = _database_url(tmp_path_factory)
    if url.startswith("postgresql"):
        _reset_postgres(url)
    application = create_app(TestConfig(url))
    with application.app_context():
        from flask_migrate import upgrade

        from app.demo import create_demo_accounts
        from app.security import sync_roles
        from app.unit_list import load_units

        upgrade()
        load_units()
        sync_roles()
        create_demo_accounts()
        from app.models import PortalUser, Unit

        application.config["BASE_MAX_UNIT"] = db.session.scalar(select(db.func.max(Unit.id)))
        application.config["BASE_MAX_USER"] = db.session.scalar(select(db.func.max(PortalUser.id)))
    yield application


@pytest.fixture(autouse=True)
def _clean(app):
    """Remove what a test wrote, keeping the base units, roles and accounts."""
    yield
    from app.models import (
        VALUE_MODELS,
        AuditLog,
        CorrectionRequest,
        DeadlineOverride,
        Filing,
        FilingTransition,
        FormAssignment,
        FormSetting,
        PortalUser,
        Reminder,
        Unit,
    )
    from app.models.audit import AuditChainHead

    with app.app_context():
        db.session.rollback()
        from app.models.cases import CaseCounter, CasePrefix, Holiday, LitigationCase, ReconApplicant, ReconCase

        for model in (LitigationCase, ReconApplicant, ReconCase, CaseCounter, CasePrefix, Holiday):
            db.session.execute(delete(model))
        for model in (Reminder, CorrectionRequest, FilingTransition, *VALUE_MODELS.values()):
            db.session.execute(delete(model))
        # The audit chain restarts with the emptied log (its head would point at deleted rows).
        for model in (Filing, DeadlineOverride, FormAssignment, FormSetting, AuditLog, AuditChainHead):
            db.session.execute(delete(model))
        extra_users = select(PortalUser.id).where(PortalUser.id > app.config["BASE_MAX_USER"])
        db.session.execute(text("DELETE FROM ab_user_role WHERE user_id > :m"),
                           {"m": app.config["BASE_MAX_USER"]})
        db.session.execute(delete(PortalUser).where(PortalUser.id.in_(extra_users)))
        db.session.execute(delete(Unit).where(Unit.id > app.config["BASE_MAX_UNIT"]))
        db.session.commit()


@pytest.fixture
def ctx(app):
    """An app context for setting up or inspecting data (not held during requests)."""
    with app.app_context() as c:
        yield c


@pytest.fixture
def client_for(app):
    """client_for('dongcheng_filler') → a logged-in test client."""
    from tests.helpers import login

    def make(username):
        return login(app.test_client(), username)

    return make


@pytest.fixture
def units(app):
    """{'dongcheng': id, 'gongan': id, 'city': id}."""
    from app.unit_list import unit_by_code

    with app.app_context():
        return {"dongcheng": unit_by_code("0100").id, "gongan": unit_by_code("2300").id,
                "city": unit_by_code("0000").id}
