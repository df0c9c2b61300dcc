"""Configuration of the portal: defaults here, secrets and databases from the environment."""

import os
import secrets
from pathlib import Path

from app.passwords import validate_password

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("PORTAL_INSTANCE_DIR", BASE_DIR / "instance"))


def _instance_secret(env_name: str, file_name: str) -> str:
    """A secret from the environment, else generated once into instance/<file_name> (mode 0600)."""
    key = os.environ.get(env_name)
    if key:
        return key
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / file_name
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def _secret_key() -> str:
    """SECRET_KEY from the environment, else generated once into instance/secret_key."""
    return _instance_secret("SECRET_KEY", "secret_key")


def _audit_key() -> str:
    """AUDIT_KEY (keys the audit chain; never in the database) from the environment, else instance/audit_key."""
    key = _instance_secret("AUDIT_KEY", "audit_key")
    if len(key) < 32:
        raise RuntimeError("AUDIT_KEY must be at least 32 characters (e.g. `openssl rand -hex 32`)")
    return key


def _pii_key() -> str:
    """PII_KEY (seals citizen ids with SM4; never in the database) from the environment, else instance/pii_key."""
    key = _instance_secret("PII_KEY", "pii_key")
    if len(key) < 32:
        raise RuntimeError("PII_KEY must be at least 32 hex characters (e.g. `openssl rand -hex 32`)")
    return key


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{INSTANCE_DIR / 'app.db'}"
    # psycopg 3 is the driver; accept the common postgres:// spellings.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def engine_options(url: str) -> dict:
    """SQLAlchemy engine options for the database at `url`.

    PostgreSQL: a pool per process (gunicorn worker) of DB_POOL_SIZE connections plus
    DB_MAX_OVERFLOW for bursts; keep workers × (size + overflow) below the server's
    max_connections (default 100: 5 workers × (5 + 5) = 50). Connections are checked before use
    (a restarted database costs no failed request) and renewed every DB_POOL_RECYCLE seconds.
    SQLite: writers wait up to 30 s for the file lock instead of the driver's 5 s, so a burst of
    saves queues instead of failing with "database is locked".
    """
    if url.startswith("sqlite"):
        return {"pool_pre_ping": True, "connect_args": {"timeout": 30}}
    env = os.environ.get
    return {"pool_pre_ping": True, "pool_size": int(env("DB_POOL_SIZE", "5")),
            "max_overflow": int(env("DB_MAX_OVERFLOW", "5")), "pool_timeout": int(env("DB_POOL_TIMEOUT", "30")),
            "pool_recycle": int(env("DB_POOL_RECYCLE", "1800"))}


class Config:
    """Settings shared by every deployment."""

    APP_NAME = "法制统计"
    APP_ICON = ""
    APP_THEME = ""
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    FAB_CREATE_DB = False
    # Permissions are written by `flask portal init`, never as a side effect of starting.
    FAB_UPDATE_PERMS = False
    # FAB's security REST API (users, roles, permissions, groups, API keys over JSON) is not used
    # by the portal: one surface fewer. JWT login (/api/v1/security/login) stays. app.duties
    # classifies whatever is registered, so switching it back on keeps the separation of duties.
    FAB_ADD_SECURITY_API = False
    FAB_API_MAX_PAGE_SIZE = 100
    # The leaders' decision system reads with API keys (Authorization: Bearer sst_…), each bound
    # to a service account whose role and unit give it its permissions and scope.
    FAB_API_KEY_ENABLED = True
    FAB_API_SWAGGER_UI = True  # served from FAB's own static files (no CDN)
    # The spec endpoint is app.api.openapi's (FAB's, with every status an endpoint may answer).
    FAB_ADD_OPENAPI_VIEWS = False
    FAB_SECURITY_MANAGER_CLASS = "app.security.PortalSecurityManager"
    FAB_INDEX_VIEW = "app.views.home.HomeView"
    FAB_BASE_TEMPLATE = "portal/base.html"
    AUTH_TYPE = 1  # AUTH_DB
    AUTH_ROLE_ADMIN = "系统管理员"
    AUTH_ROLE_PUBLIC = "Public"
    AUTH_USER_REGISTRATION = False
    # Passwords, lockout, idle timeout, login rate limiting (see README, Security).
    FAB_PASSWORD_COMPLEXITY_ENABLED = True
    FAB_PASSWORD_COMPLEXITY_VALIDATOR = staticmethod(validate_password)
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_MINUTES = 15
    IDLE_TIMEOUT_MINUTES = int(os.environ.get("IDLE_TIMEOUT_MINUTES", "30"))
    # A rate over fewer cases than this is shown with a mark (13.3%*) and never ranked (指标说明).
    RATE_MIN_BASE = int(os.environ.get("RATE_MIN_BASE", "10"))
    AUTH_RATE_LIMITED = True
    AUTH_RATE_LIMIT = "10 per 20 second"
    RATELIMIT_ENABLED = True
    # Shared by every gunicorn worker when Redis is configured; per process otherwise.
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    # Redis: shared counters (rate limits) and the export job queue (app/jobs.py); /readyz checks it.
    REDIS_URL = os.environ.get("REDIS_URL")
    # Operations (app/ops.py): JSON log lines (or "text"), and who may read /metrics (CIDRs).
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    METRICS_ALLOW = os.environ.get("METRICS_ALLOW", "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16")
    JOB_TIMEOUT = int(os.environ.get("JOB_TIMEOUT", "1800"))
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "app" / "translations")
    LANGUAGES = {
        "zh": {"flag": "cn", "name": "中文"},
        "en": {"flag": "gb", "name": "English"},
    }
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024
    ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024  # one attachment of a notice or a feedback report
    # Local time of the portal; deadlines are dates in this zone.
    PORTAL_TIMEZONE = "Asia/Shanghai"
    # 催报 mails (app/filing/reminders.py), Flask's usual keys; without MAIL_SERVER reminders are
    # recorded and shown, not mailed.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "0") == "1"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "noreply@localhost")
    # The audit chain's MAC: hmac-sm3 (national algorithm; new chains, and existing ones switch at
    # `flask db upgrade` to 0014) or hmac-sha256 (keeps an existing deployment as it was).
    AUDIT_HASH = os.environ.get("AUDIT_HASH", "hmac-sm3")
    # SM4 key of encrypted backups (`flask backup` encrypts whenever it is set); environment only.
    BACKUP_KEY = os.environ.get("BACKUP_KEY")
    # Retention (years) before `flask portal anonymise` anonymises leavers (app/pii/retention.py).
    PII_RETENTION_STAFF_YEARS = int(os.environ.get("PII_RETENTION_STAFF_YEARS", "5"))
    PII_RETENTION_CASE_YEARS = int(os.environ.get("PII_RETENTION_CASE_YEARS", "30"))
    # Printed outputs (docs/printing.md): the forms' headings per form or form@version, e.g.
    # {"reconsideration@2024": {"approval": "京统函〔2024〕12号", "valid_until": "2027年12月"}}
    # (keys: number 表号, issuer 制表机关, approval 批准文号, valid_until 有效期, units 计量单位);
    # the analysis report's 主送, 落款 and the Word file's body font; where the CJK fonts are.
    FORM_HEADINGS: dict = {}
    ANALYSIS_ADDRESSEE = "市人民政府"
    ANALYSIS_ISSUER = "北京市人民政府法制办公室"
    ANALYSIS_BODY_FONT = "Noto Serif CJK SC"
    PRINT_FONT_DIR = os.environ.get("PRINT_FONT_DIR", "/usr/share/fonts/opentype/noto")

    def __init__(self) -> None:
        self.SECRET_KEY = _secret_key()
        # The audit chain's key and the append-only file its head is anchored in (see app/audit.py).
        self.AUDIT_KEY = _audit_key()
        self.PII_KEY = _pii_key()
        self.AUDIT_ANCHOR_FILE = os.environ.get("AUDIT_ANCHOR_FILE") or str(INSTANCE_DIR / "audit-anchors.log")
        self.SQLALCHEMY_DATABASE_URI = _database_url()
        self.SQLALCHEMY_ENGINE_OPTIONS = engine_options(self.SQLALCHEMY_DATABASE_URI)
        # Uploaded files waiting for confirmation; outside the web root.
        self.IMPORT_DIR = str(INSTANCE_DIR / "imports")
        # Attachments of notices and feedback; outside the web root.
        self.ATTACHMENT_DIR = str(INSTANCE_DIR / "attachments")


class TestConfig(Config):
    """Tests: a database from TEST_DATABASE_URL, else a throwaway SQLite file."""

    TESTING = True
    __test__ = False  # a configuration, not a pytest test class
    # Tests log in many times a second from one address; the limiter has its own test.
    AUTH_RATE_LIMITED = False

    def __init__(self, database_url: str) -> None:
        import tempfile

        self.SECRET_KEY = "test-" + secrets.token_hex(32)
        self.AUDIT_KEY = "test-audit-" + secrets.token_hex(32)
        self.PII_KEY = secrets.token_hex(32)
        # No anchors unless a test writes them (the log is emptied after every test).
        self.AUDIT_ANCHOR_FILE = os.path.join(tempfile.mkdtemp(prefix="portal-anchors-"), "audit-anchors.log")
        self.SQLALCHEMY_DATABASE_URI = database_url
        self.SQLALCHEMY_ENGINE_OPTIONS = engine_options(database_url)
        self.IMPORT_DIR = tempfile.mkdtemp(prefix="portal-imports-")
        self.ATTACHMENT_DIR = tempfile.mkdtemp(prefix="portal-attachments-")
