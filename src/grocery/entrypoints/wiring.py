"""The adapters a running shop talks to, built from its settings in this one place.

create_app, the outbox worker and the `grocery` command each call build_adapters when they
start, never at import time, so tests can build their own or swap one out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from grocery.adapters.blobs import make_blob_store
from grocery.adapters.mail import make_mailer
from grocery.adapters.payments.gateways import PaymentGateways, make_gateways
from grocery.adapters.security import Argon2PasswordHasher, JwtCodec
from grocery.adapters.sql.database import Database
from grocery.config import Settings
from grocery.core.identity import TokenPolicy
from grocery.core.ports.blobs import BlobStore
from grocery.core.ports.clock import Clock
from grocery.core.ports.mail import Mailer
from grocery.core.ports.security import AccessTokens, PasswordHasher


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class Adapters:
    """Everything outside the core that a running shop talks to."""

    database: Database
    # Catalog reads and reports: the streaming replica when there is one, else `database`.
    replica: Database
    blobs: BlobStore
    clock: Clock
    hasher: PasswordHasher
    access_tokens: AccessTokens
    mailer: Mailer
    gateways: PaymentGateways


def build_adapters(settings: Settings) -> Adapters:
    if settings.database_url is None:
        raise ValueError("settings.database_url must be resolved before building adapters")
    database = Database(
        settings.database_url, pool_size=settings.db_pool_size, pgbouncer=settings.db_pgbouncer
    )
    replica = database
    if settings.read_database_url is not None:
        replica = Database(settings.read_database_url, pool_size=settings.db_pool_size)
    return Adapters(
        database=database,
        replica=replica,
        blobs=make_blob_store(
            settings.storage_url,
            public_base_url=settings.media_base_url,
            presign=settings.storage_presign,
            presign_ttl_seconds=settings.storage_presign_ttl_seconds,
            env=settings.storage_env,
        ),
        clock=SystemClock(),
        hasher=Argon2PasswordHasher(
            time_cost=settings.password_hash_time_cost,
            memory_cost=settings.password_hash_memory_kib,
            parallelism=settings.password_hash_parallelism,
        ),
        access_tokens=JwtCodec(settings.secret_key, token_policy(settings)),
        mailer=make_mailer(settings.smtp_url, sender=settings.mail_from),
        gateways=make_gateways(settings),
    )


def token_policy(settings: Settings) -> TokenPolicy:
    return TokenPolicy(
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        access_ttl=timedelta(seconds=settings.access_token_ttl_seconds),
        refresh_ttl=timedelta(seconds=settings.refresh_token_ttl_seconds),
    )
