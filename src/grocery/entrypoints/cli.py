"""The `grocery` command: serve, migrate, create-admin, seed-demo, worker."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import msgspec

from grocery.config import ConfigError, Settings, load_settings

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

    settings = resolve_database(settings)
    assert settings.database_url is not None
    if settings.uses_embedded_database or args.migrate:
        migrations.upgrade(settings.database_url)
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

    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"grocery: configuration error: {error}", file=sys.stderr)
        return 2
    handler: Command = args.handler
    return handler(args, settings)


if __name__ == "__main__":
    sys.exit(main())
