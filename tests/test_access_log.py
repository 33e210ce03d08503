"""The access log of `make serve` names every request but never a calendar feed's secret."""

from __future__ import annotations

import datetime
import logging
import types

import pytest
from gunicorn.config import Config

from staysite.access_log import MaskingLogger

TOKEN = "s3cr3t-T0ken_abcdefghijklmnopqrstuvwxyz012345"


def access_line(path: str, referer: str = "-") -> str:
    """The line gunicorn writes for a GET of `path`, with make serve's logger."""
    config = Config()
    config.set("accesslog", "-")
    config.set("logger_class", "staysite.access_log.MaskingLogger")
    logger = MaskingLogger(config)
    lines = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())
    logger.access_log.addHandler(handler)
    path_info, _sep, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": referer,
    }
    response = types.SimpleNamespace(status="200 OK", sent=120, headers=[])
    request = types.SimpleNamespace(headers=[("REFERER", referer)])
    logger.access(response, request, environ, datetime.timedelta(milliseconds=12))
    return lines[0]


def test_make_serve_logs_through_the_masking_logger():
    with open("Makefile") as makefile:
        assert "--logger-class staysite.access_log.MaskingLogger" in makefile.read()


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(f"/calendar/{TOKEN}.ics", id="the-feed"),
        pytest.param(f"/calendar/{TOKEN}.ics?x=1", id="with-a-query"),
        pytest.param(f"/de/calendar/{TOKEN}.ics", id="under-a-language-prefix"),
    ],
)
def test_a_feed_request_is_logged_without_its_token(path):
    line = access_line(path, referer=f"https://example.org/calendar/{TOKEN}.ics")

    assert TOKEN not in line
    assert '"GET /' in line and "/calendar/….ics" in line and " 200 " in line


def test_other_requests_are_logged_in_full():
    line = access_line("/travellers/?q=Weber")

    assert '"GET /travellers/?q=Weber HTTP/1.1" 200' in line
