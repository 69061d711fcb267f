"""A TCP proxy in front of PostgreSQL that a test can cut and restore, to play an outage.

It runs on its own thread and loop: Litestar's test client blocks the caller's loop
while a request is served, and the proxy must keep pumping meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

T = TypeVar("T")


class CuttableProxy:
    def __init__(self, database_url: str) -> None:
        parts = urlsplit(database_url)
        socket_dir = parse_qs(parts.query).get("host", [None])[0]
        self._unix_path = f"{socket_dir}/.s.PGSQL.{parts.port or 5432}" if socket_dir else None
        self._target = (parts.hostname or "127.0.0.1", parts.port or 5432)
        self._database = parts.path.lstrip("/")
        self._user = parts.username or "postgres"
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()
        self.port = 0
        self._loop = asyncio.new_event_loop()
        threading.Thread(target=self._loop.run_forever, daemon=True, name="pg-proxy").start()

    def _call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    def open(self) -> None:
        self._call(self._open())

    def cut(self) -> None:
        """Refuse new connections and break every open one, as a crashed server would."""
        self._call(self._cut())

    def close(self) -> None:
        self.cut()
        self._loop.call_soon_threadsafe(self._loop.stop)

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://{self._user}@127.0.0.1:{self.port}/{self._database}"

    async def _open(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for pipe in list(self._pipes):
            pipe.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._unix_path:
            up_reader, up_writer = await asyncio.open_unix_connection(self._unix_path)
        else:
            up_reader, up_writer = await asyncio.open_connection(*self._target)
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(_pump(source, sink, (writer, up_writer)))
            self._pipes.add(task)
            task.add_done_callback(self._pipes.discard)


async def _pump(
    source: asyncio.StreamReader,
    sink: asyncio.StreamWriter,
    both: tuple[asyncio.StreamWriter, asyncio.StreamWriter],
) -> None:
    try:
        while data := await source.read(65536):
            sink.write(data)
            await sink.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        for writer in both:
            with contextlib.suppress(Exception):
                writer.close()
