"""The `grocery` command: serve, migrate, create-admin, seed-demo, worker."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import msgspec

from grocery.config import ConfigError, Settings, load_settings
from grocery.core.errors import DomainError

Command = Callable[[argparse.Namespace, Settings], int]


def resolve_database(settings: Settings) -> Settings:
    """Start the embedded PostgreSQL when no URL is configured, and answer settings that name it.

    This process stays a user of the embedded server until it exits, so the server
    outlives every worker it spawns and stops after the last user is gone.
    """
    if settings.database_url is not None:
        return settings
    from grocery.adapters.embedded_pg import EmbeddedPostgres

    url = EmbeddedPostgres(Path(settings.data_dir)).url("grocery")
    os.environ["GROCERY_DATABASE_URL"] = (
        url  # server workers read their settings from the environment
    )
    return msgspec.structs.replace(settings, database_url=url)


def ready_database(settings: Settings) -> Settings:
    """Resolve the database; the embedded one is always migrated first (it is ours to keep current)."""
    from grocery.adapters.sql import migrate as migrations

    embedded = settings.uses_embedded_database
    settings = resolve_database(settings)
    if embedded:
        assert settings.database_url is not None
        migrations.upgrade(settings.database_url)
    return settings


def migrate(args: argparse.Namespace, settings: Settings) -> int:
    from grocery.adapters.sql import migrate as migrations

    settings = resolve_database(settings)
    assert settings.database_url is not None
    migrations.upgrade(settings.database_url, args.revision)
    print(f"grocery: database migrated to {args.revision}")
    return 0


def serve(args: argparse.Namespace, settings: Settings) -> int:
    from granian import Granian
    from granian.constants import Interfaces, Loops

    from grocery.adapters.sql import migrate as migrations

    configured = not settings.uses_embedded_database
    settings = ready_database(settings)
    assert settings.database_url is not None
    if configured and (args.migrate or args.demo):
        migrations.upgrade(settings.database_url)
    if args.demo and seed_demo(args, settings) != 0:
        return 2
    if settings.metrics:
        from grocery.entrypoints.metrics_runs import MULTIPROCESS_DIR, start_run_directory

        # Set before any worker starts: each writes its figures there, a scrape adds them up.
        os.environ[MULTIPROCESS_DIR] = start_run_directory(settings.data_dir)
    print(f"grocery: serving on http://{args.host}:{args.port} with {args.workers} worker(s)")
    Granian(
        "grocery.entrypoints.asgi:app_from_environment",
        factory=True,
        address=args.host,
        port=args.port,
        workers=args.workers,
        interface=Interfaces.ASGI,
        loop=Loops.uvloop,
        log_access=False,
    ).serve()
    return 0


def seed_demo(args: argparse.Namespace, settings: Settings) -> int:
    if settings.is_production:
        print("grocery: seed-demo is refused in production", file=sys.stderr)
        return 2
    from grocery.entrypoints.demo import seed_demo as load

    settings = ready_database(settings)
    print(f"grocery: {asyncio.run(load(settings))}")
    return 0


def worker(args: argparse.Namespace, settings: Settings) -> int:
    """Deliver the outbox's mail and low-stock alerts until stopped."""
    from grocery.entrypoints.logs import configure_logging
    from grocery.entrypoints.worker import run_worker

    settings = ready_database(settings)
    configure_logging(settings)
    asyncio.run(run_worker(settings))
    return 0


def create_admin(args: argparse.Namespace, settings: Settings) -> int:
    from grocery.entrypoints.demo import create_admin as ensure_admin

    password = os.environ.get("GROCERY_ADMIN_PASSWORD") or _prompt_password()
    settings = ready_database(settings)
    print(f"grocery: {asyncio.run(ensure_admin(settings, args.username, args.email, password))}")
    return 0


def _prompt_password() -> str:
    if not sys.stdin.isatty():
        raise SystemExit("grocery: set GROCERY_ADMIN_PASSWORD or run create-admin on a terminal")
    password = getpass.getpass("Password for the admin: ")
    if password != getpass.getpass("Same password again: "):
        raise SystemExit("grocery: the two passwords differ")
    return password


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="grocery", description="A grocery store's REST backend.")
    commands = root.add_subparsers(dest="command", required=True)

    run = commands.add_parser("serve", help="serve the HTTP API (granian)")
    run.add_argument("--host", default=os.environ.get("GROCERY_HOST", "127.0.0.1"))
    run.add_argument("--port", type=int, default=int(os.environ.get("GROCERY_PORT", "8000")))
    run.add_argument("--workers", type=int, default=int(os.environ.get("GROCERY_WORKERS", "1")))
    run.add_argument("--demo", action="store_true", help="migrate, load the demo shop, then serve")
    run.add_argument(
        "--migrate", action="store_true", help="migrate before serving (always on embedded)"
    )
    run.set_defaults(handler=serve)

    mig = commands.add_parser("migrate", help="upgrade the database schema")
    mig.add_argument("--revision", default="heads")
    mig.set_defaults(handler=migrate)

    demo = commands.add_parser("seed-demo", help="load the demo catalog and accounts (idempotent)")
    demo.set_defaults(handler=seed_demo)

    deliver = commands.add_parser(
        "worker",
        help="deliver the outbox: customers' mail and low-stock alerts (serve runs one too)",
    )
    deliver.set_defaults(handler=worker)

    admin = commands.add_parser(
        "create-admin",
        help="create or restore an admin (password: GROCERY_ADMIN_PASSWORD or prompt)",
    )
    admin.add_argument("--username", required=True)
    admin.add_argument("--email", required=True)
    admin.set_defaults(handler=create_admin)

    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"grocery: configuration error: {error}", file=sys.stderr)
        return 2
    handler: Command = args.handler
    try:
        return handler(args, settings)
    except DomainError as error:
        problems = "; ".join(f"{item.get('field')}: {item.get('message')}" for item in error.errors)
        print(
            f"grocery: {error.detail}{' (' + problems + ')' if problems else ''}", file=sys.stderr
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
