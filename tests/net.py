"""Local ports for the servers the tests start (SMTP, an unreachable database)."""

import socket


def free_port() -> int:
    """A local port nothing listens on (bound once by the OS, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
