"""Gunicorn's access log without the secrets some addresses carry.

A calendar feed's address is its only credential (trips/files/feeds.py): a log line holding it
would let anyone who reads the logs subscribe. `make serve` logs through this class, which
masks the token in every value a log line may show (the request line, the path, the raw URI,
headers such as the referer).
"""

from __future__ import annotations

import re

from gunicorn.glogging import Logger  # type: ignore[import-untyped]  # gunicorn ships no types

SECRET_PATHS = re.compile(r"(/calendar/)[^/?#\s]+(\.ics)")
MASK = r"\1…\2"


def mask(value):
    """`value` with the secret part of any calendar address replaced by an ellipsis."""
    if isinstance(value, str):
        return SECRET_PATHS.sub(MASK, value)
    return value


class MaskingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        return {
            key: mask(value)
            for key, value in super().atoms(resp, req, environ, request_time).items()
        }
