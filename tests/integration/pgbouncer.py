"""Debian's PgBouncer on loopback, in transaction pooling mode, in front of a PostgreSQL.

With GROCERY_TEST_PGBOUNCER=true the integration and port tests reach their database through
it (CI does one such run): every connection the shop opens must then be safe in transaction
pooling, where consecutive transactions of one client may run on different server
connections. Needs `pgbouncer` (Debian's package: /usr/sbin/pgbouncer).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import make_url

BOUNCING = os.environ.get("GROCERY_TEST_PGBOUNCER", "").lower() == "true"
SERVER_CONNECTIONS = 20  # per database: fewer than the tests' clients, so they really share


@contextmanager
def pgbouncer_in_front(database_url: str, log: Path) -> Iterator[str]:
    """PgBouncer for `database_url` (asyncpg SQLAlchemy URL, on TCP or a unix socket);
    the same database's URL through it."""
    server = make_url(database_url)
    host = server.host or str(server.query.get("host") or "")  # a TCP host or a socket dir
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    port = _free_port()
    # Its own world-readable directory: PgBouncer refuses to run as root and drops to a user.
    home = Path(tempfile.mkdtemp(prefix="grocery-pgbouncer-"))
    home.chmod(0o755)
    password = f" password={server.password}" if server.password else ""
    (home / "users.txt").write_text(f'"{server.username}" ""\n')
    (home / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"{server.database} = host={host} port={server.port or 5432}"
        f" dbname={server.database} user={server.username}{password}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {home / 'users.txt'}\n"
        "pool_mode = transaction\nmax_client_conn = 1000\n"
        f"default_pool_size = {SERVER_CONNECTIONS}\nreserve_pool_size = 0\n"
        "ignore_startup_parameters = extra_float_digits\n"
        "server_reset_query =\n"
    )
    for path in home.iterdir():
        path.chmod(0o644)
    as_nobody = ["-u", _unprivileged_user()] if os.geteuid() == 0 else []
    with log.open("wb") as output:
        bouncer = subprocess.Popen(
            [binary, *as_nobody, str(home / "pgbouncer.ini")],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for(port, bouncer, log)
        bounced = server.set(host="127.0.0.1", port=port).difference_update_query(["host"])
        yield bounced.render_as_string(hide_password=False)
    finally:
        bouncer.terminate()
        try:
            bouncer.wait(timeout=10)
        except subprocess.TimeoutExpired:
            bouncer.kill()
            bouncer.wait()
        shutil.rmtree(home, ignore_errors=True)


def _unprivileged_user() -> str:
    """The embedded PostgreSQL's user when there is one (its socket is that user's), else
    nobody."""
    try:
        pwd.getpwnam("embedded_postgres")
    except KeyError:
        return "nobody"
    return "embedded_postgres"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int, bouncer: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if bouncer.poll() is not None:
            raise RuntimeError(f"pgbouncer exited:\n{log.read_text(errors='replace')}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"pgbouncer did not listen:\n{log.read_text(errors='replace')}")
