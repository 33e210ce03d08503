"""Local ports for the servers the tests start (SMTP, an unreachable database)."""

import socket
from contextlib import contextmanager

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A local port nothing listens on (bound once by the OS, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server[H](handler: H, port: int):
    """A real SMTP server (aiosmtpd) on a local port while the block runs, answering with
    `handler`, which it yields (what it received, or refused)."""
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()
