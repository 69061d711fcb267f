"""A real S3-compatible server on loopback for integration tests: moto in server mode."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
from moto.server import ThreadedMotoServer


@dataclass(frozen=True)
class S3Server:
    endpoint: str

    def env(self, **extra: str) -> dict[str, str]:
        """The environment a grocery process would get to talk to this server."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_REGION": "us-east-1",
            # Explicit (fake) credentials keep obstore from asking a cloud metadata service.
            "AWS_ACCESS_KEY_ID": "grocery-test",
            "AWS_SECRET_ACCESS_KEY": "grocery-test-secret",
            **extra,
        }

    def create_bucket(self, name: str) -> None:
        # moto's server takes S3's plain CreateBucket call without a signature.
        httpx.put(f"{self.endpoint}/{name}").raise_for_status()


@contextmanager
def running_s3_server() -> Iterator[S3Server]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield S3Server(f"http://{host}:{port}")
    finally:
        server.stop()


def closed_port_endpoint() -> str:
    """An endpoint on loopback where nothing listens (the port was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
