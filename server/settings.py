"""Settings read from the environment (12-factor): see README "Configuration"."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "sqlite:///var/engine.db"


@dataclass(frozen=True)
class Database:
    """A parsed ``DATABASE_URL``."""

    engine: str  # "sqlite" or "postgres"
    path: str = ""  # sqlite file
    host: str = ""
    port: int = 5432
    user: str = ""
    password: str = ""
    name: str = ""

    @property
    def is_postgres(self) -> bool:
        return self.engine == "postgres"


def parse_database_url(url: str, *, base: Path = PROJECT_ROOT) -> Database:
    """Parse ``sqlite:///rel/path.db``, ``sqlite:////abs/path.db`` or ``postgresql://...``.

    Raises
    ------
    ValueError
        For any other scheme, an in-memory SQLite database or a URL without a path.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        raw = url[len("sqlite://") :]
        if not raw.startswith("/") or raw in ("/", "/:memory:"):
            raise ValueError(
                f"DATABASE_URL {url!r}: use sqlite:///relative/path.db or sqlite:////abs/path.db "
                "(a file; in-memory databases are not supported)"
            )
        rel = raw[1:]
        path = Path(rel) if rel.startswith("/") else base / rel
        return Database(engine="sqlite", path=str(path))
    if scheme in ("postgres", "postgresql", "postgresql+asyncpg"):
        name = parts.path.lstrip("/")
        if not name:
            raise ValueError(f"DATABASE_URL {url!r}: the database name is missing")
        return Database(
            engine="postgres",
            host=parts.hostname or "localhost",
            port=parts.port or 5432,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            name=name,
        )
    raise ValueError(f"DATABASE_URL {url!r}: scheme must be sqlite or postgresql")


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name}={value!r}: expected 1 or 0")


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name}={value!r}: expected an integer") from None


def _secret_key(var_dir: Path) -> str:
    """``SECRET_KEY`` from the environment, else one generated once and kept in var/."""
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    path = var_dir / "secret_key"
    if path.exists():
        kept = path.read_text().strip()
        if len(kept) >= 32:
            return kept
        path.unlink()  # empty or truncated (a crash while writing): make a new one
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
        fh.flush()
        os.fsync(fh.fileno())
    try:
        os.link(tmp, path)  # atomic; the first process to get here wins
    except FileExistsError:
        key = path.read_text().strip()
    finally:
        tmp.unlink()
    return key


@dataclass(frozen=True)
class Settings:
    database_url: str
    database: Database
    host: str
    port: int
    secret_key: str
    admin_email: str
    admin_password: str
    demo: bool
    var_dir: Path
    session_days: int
    login_max_failures: int
    login_lock_seconds: int
    login_delay_ms: int
    secure_cookies: bool | None
    pool_size: int
    debug: bool = False
    # addresses of reverse proxies whose X-Forwarded-For is believed ("" = none: the
    # client's own address counts, whatever headers it sends)
    trusted_proxies: str = ""
    # e-mail: smtp://user:password@host:port (smtps:// for TLS); "" = no e-mail, links
    # are handed to staff to send
    smtp_url: str = ""
    smtp_from: str = "360@localhost"
    # the address people's links start with (e.g. https://assess.example.org); "" = the
    # server's own http://HOST:PORT
    public_url: str = ""
    # messages per minute the deployment sends at most (every worker together); 0 = no limit
    mail_rate: int = 60
    mail_max_tries: int = 8  # then the message is "failed" with its last error
    mail_retry_seconds: int = 60  # the first retry's wait; it doubles with every try
    # a worker holds what it took this long; after a crash another takes it again
    worker_lock_seconds: int = 300
    worker_poll_seconds: float = 2.0
    worker_in_serve: bool = True  # `assess serve` runs a worker in each server process
    # above this many submitted candidates the vacancy page prints the ranked report's PDF
    # as a background job (server.jobs) instead of inside the request
    report_job_above: int = 200

    @property
    def link_base(self) -> str:
        """Where the links in messages point (``PUBLIC_URL`` or ``http://HOST:PORT``)."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "localhost" if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://{host}:{self.port}"


def load_settings() -> Settings:
    """Read every setting from the environment (see README)."""
    var_dir = Path(os.environ.get("VAR_DIR", "") or PROJECT_ROOT / "var")
    url = os.environ.get("DATABASE_URL", "") or DEFAULT_DATABASE_URL
    secure = os.environ.get("SECURE_COOKIES", "")
    return Settings(
        database_url=url,
        database=parse_database_url(url),
        host=os.environ.get("HOST", "") or "127.0.0.1",
        port=_int("PORT", 8000),
        secret_key=_secret_key(var_dir),
        admin_email=os.environ.get("ADMIN_EMAIL", "").strip().lower(),
        admin_password=os.environ.get("ADMIN_PASSWORD", ""),
        demo=_flag("DEMO", True),
        var_dir=var_dir,
        session_days=_int("SESSION_DAYS", 7),
        login_max_failures=_int("LOGIN_MAX_FAILURES", 5),
        login_lock_seconds=_int("LOGIN_LOCK_SECONDS", 900),
        login_delay_ms=_int("LOGIN_DELAY_MS", 250),
        secure_cookies=None if secure == "" else _flag("SECURE_COOKIES", False),
        pool_size=_int("DB_POOL_SIZE", 10),
        debug=_flag("DEBUG", False),
        trusted_proxies=os.environ.get("TRUSTED_PROXIES", "").strip(),
        smtp_url=os.environ.get("SMTP_URL", "").strip(),
        smtp_from=os.environ.get("SMTP_FROM", "").strip() or "360@localhost",
        public_url=os.environ.get("PUBLIC_URL", "").strip(),
        mail_rate=_int("MAIL_RATE", 60),
        mail_max_tries=max(1, _int("MAIL_MAX_TRIES", 8)),
        mail_retry_seconds=max(1, _int("MAIL_RETRY_SECONDS", 60)),
        worker_lock_seconds=max(1, _int("WORKER_LOCK_SECONDS", 300)),
        worker_poll_seconds=max(0.05, _int("WORKER_POLL_MS", 2000) / 1000),
        worker_in_serve=_flag("WORKER_IN_SERVE", True),
        report_job_above=max(0, _int("REPORT_JOB_ABOVE", 200)),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
