"""Settings: one frozen Struct, read from the environment and a `.env` file.

`GROCERY_*` names win; the seed's Django-style names (SECRET_KEY, DEBUG,
ALLOWED_HOSTS, DB_*) are honoured when the `GROCERY_` ones are absent, so a
seed-style `.env` keeps working. A bad value raises ConfigError with one line.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from email.utils import parseaddr
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from grocery.core.fulfilment.slots import DEFAULT_HOLD_MINUTES, MAX_HOLD_MINUTES
from grocery.core.weights import DEFAULT_WEIGHT_TOLERANCE_PERCENT, check_tolerance

Environment = Literal["development", "production", "test"]
LogFormat = Literal["console", "json"]
PaymentProviderName = Literal["manual", "stripe"]

DEFAULT_MAIL_FROM = "grocery@localhost"
DEFAULT_PUBLIC_URL = "http://localhost:8000"
SMTP_SCHEMES = ("smtp://", "smtp+starttls://", "smtps://")
_TRUE = {"1", "true", "yes", "on"}
_ORIGIN = re.compile(r"https?://[a-z0-9.-]+(:[0-9]{1,5})?|https?://\[[0-9a-f:.]+\](:[0-9]{1,5})?")
_FALSE = {"0", "false", "no", "off", ""}


class ConfigError(ValueError):
    """A setting is missing or malformed; the message is one line for the operator."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    env: Environment = "development"
    data_dir: str = ".grocery"
    database_url: str | None = None
    db_pool_size: int = 10
    db_pgbouncer: bool = False  # connections go through PgBouncer in transaction pooling
    read_database_url: str | None = None  # a streaming replica for catalog reads and reports
    # The primary reached directly (LISTEN can't go through PgBouncer): the catalog's change
    # feed. Unset: database_url, unless that is PgBouncer (then no feed: hits are checked).
    listen_database_url: str | None = None
    # How long the storefront may keep an unchanged page (0: never); changes are pushed (or
    # each reuse checked), so this bounds memory and presigned URLs, not staleness.
    catalog_cache_seconds: int = 60
    secret_key: str
    jwt_issuer: str = "grocery"
    jwt_audience: str = "grocery-api"
    access_token_ttl_seconds: int = 15 * 60
    refresh_token_ttl_seconds: int = 14 * 24 * 3600
    login_max_failures: int = 10
    login_window_seconds: int = 15 * 60
    # argon2id costs: RFC 9106's second profile, above OWASP's floor. Tests lower them for speed.
    password_hash_time_cost: int = 3
    password_hash_memory_kib: int = 64 * 1024
    password_hash_parallelism: int = 4
    storage_url: str
    media_base_url: str = "/media/"
    storage_presign: bool = False
    storage_env: dict[str, str] = msgspec.field(default_factory=dict)  # AWS_* names for S3
    storage_presign_ttl_seconds: int = 3600
    max_upload_bytes: int = 5 * 1024 * 1024
    max_body_bytes: int = 1024 * 1024
    currency: str = "USD"
    timezone: str = "UTC"
    low_stock_threshold: int = 10
    # How far above its estimate a weighed line may be billed, in percent of the estimate.
    weight_tolerance_percent: Decimal = DEFAULT_WEIGHT_TOLERANCE_PERCENT
    prices_include_tax: bool = False  # else tax is added on top of the prices
    slot_hold_minutes: int = DEFAULT_HOLD_MINUTES  # how long a cart keeps a place in a slot
    require_slot: bool = False  # checkout refuses a cart without a slot (slot_required)
    alert_webhook_url: str | None = None
    # Payments: manual (paid at the door or the counter) or stripe, with its keys.
    payment_provider: PaymentProviderName = "manual"
    stripe_secret_key: str | None = None
    stripe_webhook_secret: str | None = None
    stripe_api_base: str | None = None  # any Stripe-compatible server; unset: Stripe's
    payment_timeout_minutes: int = 30  # a card not authorized by then: the order is cancelled
    # Mail: unset smtp_url logs each message (recipient and subject) instead of sending it.
    smtp_url: str | None = None
    mail_from: str = DEFAULT_MAIL_FROM
    store_name: str = "grocery"
    public_url: str = DEFAULT_PUBLIC_URL  # the storefront's address, for links in mail
    require_verified_email: bool = False  # checkout waits for the confirmed address
    # Mailed links (password reset, confirmation) one address, or one client, may ask for an hour.
    link_mails_per_address: int = 3
    link_mails_per_client: int = 10
    run_worker: bool = True
    allowed_hosts: tuple[str, ...] = ("*",)
    # Browser origins (scheme://host[:port]) that may call the API; none: no CORS at all.
    cors_origins: tuple[str, ...] = ()
    debug: bool = False
    metrics: bool = False  # GET /metrics for Prometheus
    metrics_token: str | None = None  # the bearer token /metrics asks for, when set
    otel_endpoint: str | None = None  # an OTLP/HTTP collector: traces are sent there
    log_format: LogFormat = "console"
    log_level: str = "INFO"
    demo_password: str = "grocery-demo"  # noqa: S105 - documented demo default

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def uses_embedded_database(self) -> bool:
        return self.database_url is None


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse KEY=VALUE lines; comments, blanks and `export ` prefixes are allowed."""
    if not path.is_file():
        return {}
    values: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def load_settings(
    environ: Mapping[str, str] | None = None, *, dotenv: Path | None = None
) -> Settings:
    """Build Settings from `environ` (default os.environ) over a `.env` file."""
    source = dict(read_dotenv(dotenv or Path(".env")))
    source.update(os.environ if environ is None else environ)
    return _Reader(source).settings()


class _Reader:
    def __init__(self, source: Mapping[str, str]) -> None:
        self.source = source

    def get(self, name: str, *fallbacks: str) -> str | None:
        for key in (name, *fallbacks):
            value = self.source.get(key)
            if value is not None and value != "":
                return value
        return None

    def integer(self, name: str, default: int, minimum: int = 0, maximum: int | None = None) -> int:
        raw = self.get(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
        if value < minimum:
            raise ConfigError(f"{name} must be at least {minimum}, got {value}")
        if maximum is not None and value > maximum:
            raise ConfigError(f"{name} must be at most {maximum}, got {value}")
        return value

    def boolean(self, name: str, default: bool, *fallbacks: str) -> bool:
        raw = self.get(name, *fallbacks)
        if raw is None:
            return default
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        raise ConfigError(f"{name} must be true or false, got {raw!r}")

    def choice(self, name: str, allowed: tuple[str, ...], default: str) -> str:
        raw = (self.get(name) or default).lower()
        if raw not in allowed:
            raise ConfigError(f"{name} must be one of {', '.join(allowed)}, got {raw!r}")
        return raw

    def settings(self) -> Settings:
        env = self.choice("GROCERY_ENV", ("development", "production", "test"), "development")
        production = env == "production"
        data_dir = self.get("GROCERY_DATA_DIR") or ".grocery"
        database_url = self.database_url()
        secret_key = self.get("GROCERY_SECRET_KEY", "SECRET_KEY")
        if production and database_url is None:
            raise ConfigError(
                "GROCERY_DATABASE_URL (or DB_NAME/DB_HOST/...) is required in production"
            )
        if production and secret_key is None:
            raise ConfigError("GROCERY_SECRET_KEY is required in production")
        if secret_key is None:
            secret_key = _development_secret(Path(data_dir))
        if len(secret_key.encode()) < 32:
            raise ConfigError("GROCERY_SECRET_KEY must be at least 32 bytes long")
        log_default = "json" if production else "console"
        # The seed's DEBUG only makes the logs chattier; it never exposes tracebacks.
        debug = self.boolean("GROCERY_DEBUG", False, "DEBUG") and not production
        return Settings(
            env=env,  # type: ignore[arg-type]
            data_dir=data_dir,
            database_url=database_url,
            db_pool_size=self.integer("GROCERY_DB_POOL_SIZE", 10, minimum=1),
            db_pgbouncer=self.boolean("GROCERY_DB_PGBOUNCER", False),
            read_database_url=self.read_database_url(),
            listen_database_url=self.listen_database_url(),
            catalog_cache_seconds=self.integer("GROCERY_CATALOG_CACHE_SECONDS", 60, maximum=600),
            secret_key=secret_key,
            access_token_ttl_seconds=self.integer("GROCERY_ACCESS_TOKEN_TTL", 900, minimum=30),
            refresh_token_ttl_seconds=self.integer(
                "GROCERY_REFRESH_TOKEN_TTL", 14 * 86400, minimum=60
            ),
            login_max_failures=self.integer("GROCERY_LOGIN_MAX_FAILURES", 10, minimum=1),
            login_window_seconds=self.integer("GROCERY_LOGIN_WINDOW", 900, minimum=1),
            storage_url=self.storage_url(data_dir),
            media_base_url=self.get("GROCERY_MEDIA_BASE_URL") or "/media/",
            storage_presign=self.boolean("GROCERY_STORAGE_PRESIGN", False),
            storage_env={k: v for k, v in self.source.items() if k.startswith("AWS_")},
            storage_presign_ttl_seconds=self.integer(
                "GROCERY_STORAGE_PRESIGN_TTL", 3600, minimum=1
            ),
            max_upload_bytes=self.integer(
                "GROCERY_MAX_UPLOAD_BYTES", 5 * 1024 * 1024, minimum=1024
            ),
            max_body_bytes=self.integer("GROCERY_MAX_BODY_BYTES", 1024 * 1024, minimum=1024),
            currency=self.currency(),
            timezone=self.timezone(),
            low_stock_threshold=self.integer("GROCERY_LOW_STOCK_THRESHOLD", 10),
            weight_tolerance_percent=self.weight_tolerance(),
            prices_include_tax=self.boolean("GROCERY_PRICES_INCLUDE_TAX", False),
            slot_hold_minutes=self.integer(
                "GROCERY_SLOT_HOLD_MINUTES",
                DEFAULT_HOLD_MINUTES,
                minimum=1,
                maximum=MAX_HOLD_MINUTES,
            ),
            require_slot=self.boolean("GROCERY_REQUIRE_SLOT", False),
            alert_webhook_url=self.webhook_url(),
            **self.payments(production),
            smtp_url=self.smtp_url(production),
            mail_from=self.mail_from(),
            store_name=self.get("GROCERY_STORE_NAME") or "grocery",
            public_url=self.public_url(),
            require_verified_email=self.boolean("GROCERY_REQUIRE_VERIFIED_EMAIL", False),
            link_mails_per_address=self.integer("GROCERY_LINK_MAILS_PER_ADDRESS", 3, minimum=1),
            link_mails_per_client=self.integer("GROCERY_LINK_MAILS_PER_CLIENT", 10, minimum=1),
            run_worker=self.boolean("GROCERY_RUN_WORKER", True),
            allowed_hosts=self.allowed_hosts(),
            cors_origins=self.cors_origins(),
            debug=debug,
            metrics=self.boolean("GROCERY_METRICS", False),
            metrics_token=self.get("GROCERY_METRICS_TOKEN"),
            otel_endpoint=self.get("OTEL_EXPORTER_OTLP_ENDPOINT"),
            log_format=self.choice("GROCERY_LOG_FORMAT", ("console", "json"), log_default),  # type: ignore[arg-type]
            log_level=self.choice(
                "GROCERY_LOG_LEVEL",
                ("debug", "info", "warning", "error"),
                "debug" if debug else "info",
            ).upper(),
            demo_password=self.get("GROCERY_DEMO_PASSWORD") or "grocery-demo",
        )

    def database_url(self) -> str | None:
        url = self.get("GROCERY_DATABASE_URL", "DATABASE_URL")
        if url is not None:
            return normalise_database_url(url, "GROCERY_DATABASE_URL")
        name = self.get("DB_NAME")
        if name is None:
            return None
        user = quote(self.get("DB_USER") or "postgres", safe="")
        password = self.get("DB_PASSWORD")
        auth = f"{user}:{quote(password, safe='')}" if password else user
        host = self.get("DB_HOST") or "127.0.0.1"
        port = self.integer("DB_PORT", 5432, minimum=1)
        return f"postgresql+asyncpg://{auth}@{host}:{port}/{quote(name, safe='')}"

    def read_database_url(self) -> str | None:
        url = self.get("GROCERY_READ_DATABASE_URL")
        return None if url is None else normalise_database_url(url, "GROCERY_READ_DATABASE_URL")

    def listen_database_url(self) -> str | None:
        url = self.get("GROCERY_LISTEN_DATABASE_URL")
        return None if url is None else normalise_database_url(url, "GROCERY_LISTEN_DATABASE_URL")

    def storage_url(self, data_dir: str) -> str:
        url = self.get("GROCERY_STORAGE_URL")
        if url is None:
            bucket = self.get("AWS_STORAGE_BUCKET_NAME")
            if bucket:
                return f"s3://{bucket}"
            return (Path(data_dir).resolve() / "media").as_uri()
        if not url.startswith(("s3://", "file://", "memory://")):
            raise ConfigError(
                f"GROCERY_STORAGE_URL must start with s3://, file:// or memory://, got {url!r}"
            )
        return url

    def weight_tolerance(self) -> Decimal:
        raw = self.get("GROCERY_WEIGHT_TOLERANCE_PERCENT")
        if raw is None:
            return DEFAULT_WEIGHT_TOLERANCE_PERCENT
        try:
            return check_tolerance(Decimal(raw.strip()))
        except (InvalidOperation, ValueError):
            raise ConfigError(
                f"GROCERY_WEIGHT_TOLERANCE_PERCENT must be a percent from 0 to 100, got {raw!r}"
            ) from None

    def payments(self, production: bool) -> dict[str, Any]:
        provider = self.choice("GROCERY_PAYMENT_PROVIDER", ("manual", "stripe"), "manual")
        secret_key = self.get("STRIPE_SECRET_KEY")
        webhook_secret = self.get("STRIPE_WEBHOOK_SECRET")
        # The keys themselves are never echoed.
        if provider == "stripe" and secret_key is None:
            raise ConfigError("GROCERY_PAYMENT_PROVIDER=stripe needs STRIPE_SECRET_KEY")
        if provider == "stripe" and production and webhook_secret is None:
            raise ConfigError(
                "GROCERY_PAYMENT_PROVIDER=stripe needs STRIPE_WEBHOOK_SECRET in production"
            )
        api_base = self.get("STRIPE_API_BASE")
        if api_base is not None and not api_base.startswith(("http://", "https://")):
            raise ConfigError(f"STRIPE_API_BASE must be an http(s) URL, got {api_base!r}")
        return {
            "payment_provider": provider,
            "stripe_secret_key": secret_key,
            "stripe_webhook_secret": webhook_secret,
            "stripe_api_base": None if api_base is None else api_base.rstrip("/"),
            "payment_timeout_minutes": self.integer(
                "GROCERY_PAYMENT_TIMEOUT_MINUTES", 30, minimum=1
            ),
        }

    def currency(self) -> str:
        code = (self.get("GROCERY_CURRENCY") or "USD").upper()
        if len(code) != 3 or not code.isalpha():
            raise ConfigError(f"GROCERY_CURRENCY must be a 3-letter ISO code, got {code!r}")
        return code

    def timezone(self) -> str:
        name = self.get("GROCERY_TIMEZONE") or "UTC"
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"GROCERY_TIMEZONE is not a known time zone: {name!r}") from None
        return name

    def webhook_url(self) -> str | None:
        url = self.get("GROCERY_ALERT_WEBHOOK_URL")
        if url is not None and not url.startswith(("http://", "https://")):
            raise ConfigError(f"GROCERY_ALERT_WEBHOOK_URL must be an http(s) URL, got {url!r}")
        return url

    def smtp_url(self, production: bool) -> str | None:
        url = self.get("GROCERY_SMTP_URL")
        if url is None:
            return None
        # The URL itself is never echoed: it may hold the mail server's password.
        if not url.startswith(SMTP_SCHEMES):
            raise ConfigError(f"GROCERY_SMTP_URL must start with {', '.join(SMTP_SCHEMES)}")
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - read to check it: a port that is no number raises
        except ValueError:
            raise ConfigError("GROCERY_SMTP_URL has a malformed host or port") from None
        if not parts.hostname:
            raise ConfigError("GROCERY_SMTP_URL names no host")
        # Real mail from a placeholder sender, or with links to localhost, would reach customers.
        if production and not (self.get("GROCERY_MAIL_FROM") and self.get("GROCERY_PUBLIC_URL")):
            raise ConfigError(
                "GROCERY_MAIL_FROM and GROCERY_PUBLIC_URL are required with GROCERY_SMTP_URL in production"
            )
        return url

    def mail_from(self) -> str:
        sender = self.get("GROCERY_MAIL_FROM") or DEFAULT_MAIL_FROM
        if "@" not in parseaddr(sender)[1]:
            raise ConfigError(f"GROCERY_MAIL_FROM must be an email address, got {sender!r}")
        return sender

    def public_url(self) -> str:
        url = self.get("GROCERY_PUBLIC_URL") or DEFAULT_PUBLIC_URL
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"GROCERY_PUBLIC_URL must be an http(s) URL, got {url!r}")
        return url.rstrip("/")

    def allowed_hosts(self) -> tuple[str, ...]:
        raw = self.get("GROCERY_ALLOWED_HOSTS", "ALLOWED_HOSTS") or "*"
        return tuple(host.strip() for host in raw.split(",") if host.strip())

    def cors_origins(self) -> tuple[str, ...]:
        """Exact origins only: a wildcard would hand every site the shop's API."""
        raw = self.get("GROCERY_CORS_ORIGINS") or ""
        origins = tuple(origin.strip().lower() for origin in raw.split(",") if origin.strip())
        for origin in origins:
            if not _ORIGIN.fullmatch(origin):
                raise ConfigError(
                    "GROCERY_CORS_ORIGINS takes exact origins like https://shop.example.com"
                    f" (scheme, host and port, no path or wildcard), got {origin!r}"
                )
        return origins


def normalise_database_url(url: str, name: str) -> str:
    """Accept postgres://, postgresql:// and postgresql+asyncpg://; answer the asyncpg form."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url.removeprefix(prefix)
    raise ConfigError(f"{name} must be a postgresql:// URL")


def _development_secret(data_dir: Path, token: Callable[[int], str] = secrets.token_urlsafe) -> str:
    """Generate a secret once and keep it in the data dir, so restarts keep sessions valid."""
    path = data_dir / "secret_key"
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = token(48)
    staging = data_dir / f".secret_key.{os.getpid()}"
    fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    try:  # link is atomic: when two processes race, the first key wins for both
        os.link(staging, path)
    except FileExistsError:
        key = path.read_text(encoding="utf-8").strip()
    finally:
        staging.unlink()
    return key
