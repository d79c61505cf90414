"""Settings from environment variables; secrets that are not given are generated once into the
instance folder so that several processes of one installation share them."""

import os
import secrets
from pathlib import Path

from sqlalchemy.engine import make_url


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _list(name: str) -> list[str] | None:
    """A comma-separated setting as a list; None when it is not set or empty."""
    items = [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]
    return items or None


def _instance_secret(instance_path: str, filename: str) -> str:
    path = Path(instance_path) / filename
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: when two processes start at once, one writes and both read the same value.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


# Seconds to wait for PostgreSQL to accept a connection. libpq waits for ever by default: a server
# that is unreachable without refusing (a network partition, a dead host) would hold every request
# and /healthz until the client gave up, instead of answering 503 at once (core/error_pages.py).
DEFAULT_CONNECT_TIMEOUT = 3


def _database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "treffpunkt.sqlite")
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy needs the driver named.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix) :]
    return _with_connect_timeout(url)


def _with_connect_timeout(url: str) -> str:
    """A PostgreSQL URL with connect_timeout unless it names one. In the URL rather than in the
    engine options, so that it goes wherever the URL goes (pg_dump too) and never to SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql" or "connect_timeout" in parsed.query:
        return url
    timeout = os.environ.get("DATABASE_CONNECT_TIMEOUT", str(DEFAULT_CONNECT_TIMEOUT))
    return parsed.update_query_dict({"connect_timeout": timeout}).render_as_string(hide_password=False)


def load_config(instance_path: str) -> dict:
    development = _flag("TREFFPUNKT_DEV", False)
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY") or _instance_secret(instance_path, "secret_key"),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        # No pre-ping (a round trip per request): core/liveness.py checks a connection's socket instead.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False},
        # Secure cookies unless explicitly developing over plain http on 127.0.0.1.
        "SESSION_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE", not development),
        "REMEMBER_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE", not development),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PREFERRED_URL_SCHEME": os.environ.get("PREFERRED_URL_SCHEME", "http" if development else "https"),
        "SERVER_NAME": os.environ.get("SERVER_NAME") or None,
        "BEHIND_PROXY": _flag("BEHIND_PROXY", False),
        # Bodies above this answer 413 before they are read (there are no uploads).
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", 1024 * 1024)),
        # Gzip text answers in the app (off where the proxy compresses them itself: core/static_files.py).
        "COMPRESS_RESPONSES": _flag("COMPRESS_RESPONSES", True),
        "STATIC_HASH_RELOAD": development,  # static files edited while `make run` serves them
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "WTF_I18N_ENABLED": True,
        "BABEL_DEFAULT_LOCALE": "de",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Berlin",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parent.parent / "translations"),
        "PRIVACY_NOTICE_VERSION": os.environ.get("PRIVACY_NOTICE_VERSION", "2026-11"),
        # Volunteer accounts without any activity this long are flagged and may be pseudonymised.
        "RETENTION_INACTIVE_DAYS": int(os.environ.get("RETENTION_INACTIVE_DAYS", 730)),
        # Hours may be dated at most this many days back (and never before the oldest open period).
        "HOURS_MAX_DAYS_BACK": int(os.environ.get("HOURS_MAX_DAYS_BACK", 90)),
        "PASSWORD_HASH_METHOD": os.environ.get("PASSWORD_HASH_METHOD", "scrypt"),
        "PASSWORD_RESET_MAX_AGE": int(os.environ.get("PASSWORD_RESET_MAX_AGE", 3600)),
        "LOGIN_MAX_FAILURES": int(os.environ.get("LOGIN_MAX_FAILURES", 5)),
        "LOGIN_MAX_FAILURES_PER_IP": int(os.environ.get("LOGIN_MAX_FAILURES_PER_IP", 50)),
        "LOGIN_LOCKOUT_MINUTES": int(os.environ.get("LOGIN_LOCKOUT_MINUTES", 15)),
        # Where people open links: every absolute link (mails, feeds, QR codes, the API) starts
        # with it (core/links.py), never with the Host a request names.
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        # The hosts the app answers for, others get 400 (Flask's check); unset: the host of
        # PUBLIC_BASE_URL (core/security.py).
        "TRUSTED_HOSTS": _list("TRUSTED_HOSTS"),
        # The accessibility statement's contact point (BITV 2.0 Feedback-Mechanismus); the
        # enforcement body defaults to the NRW Ombudsstelle (volunteers/pages/views.py).
        **{
            f"ACCESSIBILITY_CONTACT_{part}": os.environ.get(f"ACCESSIBILITY_CONTACT_{part}")
            for part in ("NAME", "EMAIL", "PHONE", "ADDRESS")
        },
        # Set only where given: an absent key keeps the default line, a given one replaces it.
        **{
            f"ACCESSIBILITY_ENFORCEMENT_{part}": os.environ[f"ACCESSIBILITY_ENFORCEMENT_{part}"]
            for part in ("NAME", "EMAIL", "URL", "ADDRESS", "PHONE")
            if f"ACCESSIBILITY_ENFORCEMENT_{part}" in os.environ
        },
        "MAIL_SERVER": os.environ.get("MAIL_SERVER"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", 587)),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS", True),
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "Treffpunkt <no-reply@treffpunkt.example>"),
        "MAIL_OUTBOX_DIR": os.environ.get("MAIL_OUTBOX_DIR") or str(Path(instance_path) / "mail"),
        # Outgoing HTTPS of the push worker through this proxy (push/client.py); none: straight out.
        "PUSH_PROXY": os.environ.get("PUSH_PROXY") or None,
        # Deleted accounts, re-applied after a restore (privacy/erasures.py); not part of a backup.
        "ERASURE_LEDGER": os.environ.get("ERASURE_LEDGER") or str(Path(instance_path) / "erasures.log"),
    }
