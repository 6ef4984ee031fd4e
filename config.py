"""Configuration read from the environment.

Production is the default, so a deployment that forgets ACCELERATOR_ENV never runs with the
public development key; `make run` asks for development (a SQLite file under instance/, mail
written to the log). DATABASE_URL switches to PostgreSQL (postgresql+psycopg://...).
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
# Public (it is in this file): anyone could sign sessions with it, so production refuses it.
DEVELOPMENT_SECRET_KEY = "dev-only-secret-key-change-me"


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, str(default))
    try:
        return int(value)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {value!r}.") from None


def _list(name: str) -> list[str] | None:
    """A comma-separated setting as a list; None when unset or empty."""
    items = [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]
    return items or None


class Config:
    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'accelerator.sqlite'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # "log" writes outgoing mail to the application log; "smtp" sends it.
    MAIL_TRANSPORT = os.environ.get("MAIL_TRANSPORT", "log")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "ATMP Catalyst <noreply@atmp-catalyst.eu>"
    )
    MAIL_MAX_ATTEMPTS = 10
    # Every emailed link starts here, never with the Host a request claims (scheme, host, path).
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")
    # The Host names this site answers to (e.g. "catalyst.example.org"); others get a 400 page.
    TRUSTED_HOSTS = _list("TRUSTED_HOSTS")
    # How many proxies in front of the app set X-Forwarded-For/-Proto/-Host/-Prefix (0: none).
    PROXY_FIX_HOPS = _int("PROXY_FIX_HOPS", 0)

    # Attempts allowed per IP address and per email address in each fixed window, per action:
    # a flood of guesses or of emails to one inbox gets a 429. Login's per-email limit stays
    # above the lockout's 5 failures, so the lockout's own messages still show.
    THROTTLE_LIMITS = {
        "login": {"per_ip": 30, "per_email": 10, "window_minutes": 15},
        "registration": {"per_ip": 5, "window_minutes": 60},
        "password_reset": {"per_ip": 10, "per_email": 3, "window_minutes": 60},
        "confirmation_resend": {"per_ip": 10, "per_email": 3, "window_minutes": 60},
    }

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "Europe/Madrid"
    # Catalan and Spanish join when their catalogues exist.
    LANGUAGES = ("en",)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # Argon2id cost: the library defaults (64 MiB, 3 passes) outside tests.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536

    # A 10 MB attachment plus the rest of its form; larger requests get the 413 page.
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024 + 256 * 1024
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(BASE_DIR / "instance" / "uploads"))
    APPLICATIONS_PER_PAGE = 25
    USERS_PER_PAGE = 25
    AUDIT_ENTRIES_PER_PAGE = 50


class DevelopmentConfig(Config):
    pass


class ProductionConfig(Config):
    ENV_NAME = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    MAIL_TRANSPORT = os.environ.get("MAIL_TRANSPORT", "smtp")
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key"
    # The suite does not depend on the shell it runs in.
    BASE_URL = "http://127.0.0.1:5000"
    TRUSTED_HOSTS = None
    PROXY_FIX_HOPS = 0
    MAIL_TRANSPORT = "smtp"
    MAIL_SUPPRESS_SEND = True
    # Cheap hashing keeps the suite fast; the scheme is still Argon2id.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "test": TestConfig,
}


def config_from_environment() -> type[Config]:
    name = os.environ.get("ACCELERATOR_ENV", "production")
    if name not in CONFIGS:
        raise SystemExit(f"ACCELERATOR_ENV={name!r} is unknown: use {', '.join(sorted(CONFIGS))}.")
    return CONFIGS[name]
