"""Settings: defaults, the seed's names, and one clear line for each bad value."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from grocery.config import ConfigError, load_settings, read_dotenv
from grocery.entrypoints.app import page_age

SECRET = "s" * 40


def settings_from(env: dict[str, str], tmp_path: Path):  # type: ignore[no-untyped-def]
    values = {"GROCERY_DATA_DIR": str(tmp_path / "data"), **env}
    return load_settings(values, dotenv=tmp_path / "missing.env")


def test_defaults_use_the_embedded_database_and_local_media(tmp_path: Path) -> None:
    settings = settings_from({}, tmp_path)
    assert settings.database_url is None
    assert settings.uses_embedded_database
    assert settings.storage_url.startswith("file://")
    assert settings.storage_url.endswith("/data/media")
    assert settings.currency == "USD"
    assert settings.access_token_ttl_seconds == 900
    assert settings.refresh_token_ttl_seconds == 14 * 86400
    assert settings.log_format == "console"


def test_development_secret_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = settings_from({}, tmp_path).secret_key
    second = settings_from({}, tmp_path).secret_key
    assert len(first) >= 32
    assert first == second
    assert (tmp_path / "data" / "secret_key").stat().st_mode & 0o077 == 0


def test_seed_style_names_are_honoured(tmp_path: Path) -> None:
    settings = settings_from(
        {
            "SECRET_KEY": SECRET,
            "DB_NAME": "shop",
            "DB_USER": "app",
            "DB_PASSWORD": "p@ss word",
            "DB_HOST": "db.internal",
            "DB_PORT": "6543",
            "ALLOWED_HOSTS": "shop.example, localhost",
            "AWS_STORAGE_BUCKET_NAME": "pics",
            "AWS_REGION": "ap-south-1",
            "DEBUG": "True",
        },
        tmp_path,
    )
    assert settings.secret_key == SECRET
    assert settings.database_url == "postgresql+asyncpg://app:p%40ss%20word@db.internal:6543/shop"
    assert settings.allowed_hosts == ("shop.example", "localhost")
    assert settings.storage_url == "s3://pics"
    assert settings.storage_env["AWS_REGION"] == "ap-south-1"
    assert settings.debug is True
    assert settings.log_level == "DEBUG"


def test_grocery_names_win_over_seed_names(tmp_path: Path) -> None:
    settings = settings_from(
        {
            "GROCERY_SECRET_KEY": "g" * 40,
            "SECRET_KEY": SECRET,
            "GROCERY_DATABASE_URL": "postgres://u@h/db",
            "DB_NAME": "other",
        },
        tmp_path,
    )
    assert settings.secret_key == "g" * 40
    assert settings.database_url == "postgresql+asyncpg://u@h/db"


def test_dotenv_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "# a seed-style file\nexport GROCERY_CURRENCY=eur\nGROCERY_TIMEZONE='Europe/Paris'\n"
        'SECRET_KEY="' + SECRET + '"\n'
    )
    settings = load_settings(
        {"GROCERY_DATA_DIR": str(tmp_path), "GROCERY_TIMEZONE": "UTC"}, dotenv=dotenv
    )
    assert settings.currency == "EUR"
    assert settings.timezone == "UTC"
    assert settings.secret_key == SECRET
    assert read_dotenv(tmp_path / "absent") == {}


def test_production_needs_explicit_secret_and_database(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="GROCERY_DATABASE_URL"):
        settings_from({"GROCERY_ENV": "production", "GROCERY_SECRET_KEY": SECRET}, tmp_path)
    with pytest.raises(ConfigError, match="GROCERY_SECRET_KEY"):
        settings_from(
            {"GROCERY_ENV": "production", "GROCERY_DATABASE_URL": "postgresql://h/db"}, tmp_path
        )
    settings = settings_from(
        {
            "GROCERY_ENV": "production",
            "GROCERY_DATABASE_URL": "postgresql://h/db",
            "GROCERY_SECRET_KEY": SECRET,
            "DEBUG": "true",
        },
        tmp_path,
    )
    assert settings.log_format == "json"
    assert settings.debug is False


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"GROCERY_ENV": "staging"}, "GROCERY_ENV must be one of"),
        ({"GROCERY_DB_POOL_SIZE": "many"}, "GROCERY_DB_POOL_SIZE must be a whole number"),
        ({"GROCERY_DB_POOL_SIZE": "0"}, "GROCERY_DB_POOL_SIZE must be at least 1"),
        ({"GROCERY_SECRET_KEY": "short"}, "at least 32 bytes"),
        ({"GROCERY_DATABASE_URL": "mysql://h/db"}, "must be a postgresql:// URL"),
        ({"GROCERY_STORAGE_URL": "ftp://x"}, "GROCERY_STORAGE_URL must start with"),
        ({"GROCERY_CURRENCY": "dollars"}, "3-letter ISO code"),
        ({"GROCERY_TIMEZONE": "Mars/Olympus"}, "not a known time zone"),
        ({"GROCERY_STORAGE_PRESIGN": "maybe"}, "must be true or false"),
        ({"GROCERY_CATALOG_CACHE_SECONDS": "601"}, "CATALOG_CACHE_SECONDS must be at most 600"),
        ({"GROCERY_CATALOG_CACHE_SECONDS": "-1"}, "CATALOG_CACHE_SECONDS must be at least 0"),
        ({"GROCERY_ALERT_WEBHOOK_URL": "ftp://x"}, "must be an http"),
        ({"GROCERY_LOG_FORMAT": "xml"}, "GROCERY_LOG_FORMAT must be one of"),
        ({"GROCERY_SMTP_URL": "mailto:shop@example.com"}, "GROCERY_SMTP_URL must start with"),
        ({"GROCERY_SMTP_URL": "smtp://:25"}, "GROCERY_SMTP_URL names no host"),
        ({"GROCERY_SMTP_URL": "smtp://mail.example:port"}, "malformed host or port"),
        ({"GROCERY_MAIL_FROM": "the shop"}, "GROCERY_MAIL_FROM must be an email address"),
        ({"GROCERY_PUBLIC_URL": "shop.example"}, "GROCERY_PUBLIC_URL must be an http"),
    ],
)
def test_bad_values_give_one_clear_line(tmp_path: Path, env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as raised:
        settings_from(env, tmp_path)
    assert "\n" not in str(raised.value)


def test_storefront_pages_are_kept_a_minute_and_never_past_half_a_presigned_url(
    tmp_path: Path,
) -> None:
    assert page_age(settings_from({}, tmp_path)) == 60
    assert page_age(settings_from({"GROCERY_CATALOG_CACHE_SECONDS": "0"}, tmp_path)) == 0
    presigned = {"GROCERY_STORAGE_PRESIGN": "true", "GROCERY_STORAGE_PRESIGN_TTL": "90"}
    assert page_age(settings_from(presigned, tmp_path)) == 45


def test_mail_is_logged_unless_a_server_is_named(tmp_path: Path) -> None:
    settings = settings_from({}, tmp_path)
    assert settings.smtp_url is None
    assert (settings.store_name, settings.public_url) == ("grocery", "http://localhost:8000")

    settings = settings_from(
        {
            "GROCERY_SMTP_URL": "smtps://shop:secret@mail.example",
            "GROCERY_MAIL_FROM": "Corner Grocery <shop@corner.example>",
            "GROCERY_STORE_NAME": "Corner Grocery",
            "GROCERY_PUBLIC_URL": "https://corner.example/",
        },
        tmp_path,
    )
    assert settings.smtp_url == "smtps://shop:secret@mail.example"
    assert settings.mail_from == "Corner Grocery <shop@corner.example>"
    assert (settings.store_name, settings.public_url) == (
        "Corner Grocery",
        "https://corner.example",
    )


def test_a_bad_smtp_url_is_refused_without_echoing_its_password(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        settings_from({"GROCERY_SMTP_URL": "smtp://shop:hunter22@mail.example:x"}, tmp_path)
    assert "hunter22" not in str(raised.value)


def test_production_mail_needs_a_real_sender_and_storefront(tmp_path: Path) -> None:
    production = {
        "GROCERY_ENV": "production",
        "GROCERY_DATABASE_URL": "postgresql://h/db",
        "GROCERY_SECRET_KEY": SECRET,
        "GROCERY_SMTP_URL": "smtps://mail.example",
    }
    with pytest.raises(ConfigError, match="GROCERY_MAIL_FROM and GROCERY_PUBLIC_URL"):
        settings_from(production, tmp_path)
    settings = settings_from(
        {
            **production,
            "GROCERY_MAIL_FROM": "shop@corner.example",
            "GROCERY_PUBLIC_URL": "https://corner.example",
        },
        tmp_path,
    )
    assert settings.smtp_url == "smtps://mail.example"


def test_cors_origins_are_exact_and_none_by_default(tmp_path: Path) -> None:
    assert settings_from({}, tmp_path).cors_origins == ()
    named = settings_from(
        {"GROCERY_CORS_ORIGINS": "https://Shop.example.com, http://localhost:5173"}, tmp_path
    )
    assert named.cors_origins == ("https://shop.example.com", "http://localhost:5173")


@pytest.mark.parametrize(
    "origin", ["*", "https://*.example.com", "https://shop.example.com/", "shop.example.com"]
)
def test_a_cors_origin_that_is_not_exact_is_refused(tmp_path: Path, origin: str) -> None:
    with pytest.raises(ConfigError, match="GROCERY_CORS_ORIGINS"):
        settings_from({"GROCERY_CORS_ORIGINS": origin}, tmp_path)


def test_the_weight_tolerance_is_ten_percent_unless_set(tmp_path: Path) -> None:
    assert settings_from({}, tmp_path).weight_tolerance_percent == Decimal(10)
    set_ = settings_from({"GROCERY_WEIGHT_TOLERANCE_PERCENT": " 12.5 "}, tmp_path)
    assert set_.weight_tolerance_percent == Decimal("12.5")


@pytest.mark.parametrize("raw", ["-1", "100.5", "ten", "NaN"])
def test_a_weight_tolerance_that_is_not_a_percent_is_refused(tmp_path: Path, raw: str) -> None:
    with pytest.raises(ConfigError, match="GROCERY_WEIGHT_TOLERANCE_PERCENT") as raised:
        settings_from({"GROCERY_WEIGHT_TOLERANCE_PERCENT": raw}, tmp_path)
    assert "\n" not in str(raised.value)


def test_payments_are_taken_by_hand_unless_stripe_is_set_up(tmp_path: Path) -> None:
    manual = settings_from({}, tmp_path)
    card = settings_from(
        {
            "GROCERY_PAYMENT_PROVIDER": "Stripe",
            "STRIPE_SECRET_KEY": "sk_test_x",
            "STRIPE_WEBHOOK_SECRET": "whsec_x",
            "STRIPE_API_BASE": "http://127.0.0.1:8420/",
            "GROCERY_PAYMENT_TIMEOUT_MINUTES": "15",
        },
        tmp_path,
    )

    assert (manual.payment_provider, manual.payment_timeout_minutes) == ("manual", 30)
    assert manual.stripe_secret_key is None
    assert (card.payment_provider, card.stripe_api_base) == ("stripe", "http://127.0.0.1:8420")
    assert (card.stripe_secret_key, card.stripe_webhook_secret) == ("sk_test_x", "whsec_x")
    assert card.payment_timeout_minutes == 15


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"GROCERY_PAYMENT_PROVIDER": "paypal"}, "GROCERY_PAYMENT_PROVIDER"),
        ({"GROCERY_PAYMENT_PROVIDER": "stripe"}, "STRIPE_SECRET_KEY"),
        (
            {"GROCERY_PAYMENT_PROVIDER": "stripe", "STRIPE_SECRET_KEY": "sk_live_secret"},
            "STRIPE_WEBHOOK_SECRET",
        ),
        ({"STRIPE_API_BASE": "localhost:8420"}, "STRIPE_API_BASE"),
        ({"GROCERY_PAYMENT_TIMEOUT_MINUTES": "0"}, "GROCERY_PAYMENT_TIMEOUT_MINUTES"),
    ],
)
def test_production_refuses_stripe_without_its_keys(
    tmp_path: Path, env: dict[str, str], named: str
) -> None:
    production = {
        "GROCERY_ENV": "production",
        "GROCERY_SECRET_KEY": SECRET,
        "GROCERY_DATABASE_URL": "postgresql://u@db/shop",
    }
    with pytest.raises(ConfigError) as refused:
        settings_from({**production, **env}, tmp_path)
    assert named in str(refused.value)
    assert "sk_live_secret" not in str(refused.value)  # a key is never echoed


def test_the_fleet_settings_are_off_unless_set(tmp_path: Path) -> None:
    plain = settings_from({}, tmp_path)
    assert (plain.metrics, plain.metrics_token, plain.otel_endpoint) == (False, None, None)
    assert (plain.db_pgbouncer, plain.read_database_url) == (False, None)
    fleet = settings_from(
        {
            "GROCERY_METRICS": "true",
            "GROCERY_METRICS_TOKEN": "scrape-me",
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318",
            "GROCERY_DB_PGBOUNCER": "yes",
            "GROCERY_READ_DATABASE_URL": "postgres://reader@replica:5432/shop",
        },
        tmp_path,
    )
    assert (fleet.metrics, fleet.metrics_token) == (True, "scrape-me")
    assert fleet.otel_endpoint == "http://collector:4318"
    assert fleet.db_pgbouncer
    assert fleet.read_database_url == "postgresql+asyncpg://reader@replica:5432/shop"
    with pytest.raises(ConfigError, match="GROCERY_READ_DATABASE_URL"):
        settings_from({"GROCERY_READ_DATABASE_URL": "mysql://replica/shop"}, tmp_path)
