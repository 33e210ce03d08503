#!/usr/bin/env bash
# HTTP throughput of the dashboard's table fragment (what htmx polls) under gunicorn with
# `make serve` settings, at 2 and 8 concurrent clients: requests per second and p95 latency,
# measured by wrk on loopback for DURATION seconds each. Twice: answered in full (a first
# poll, or one after a change), and revalidated (a browser's later polls send the ETag back
# in If-None-Match and are answered 304 while nothing has changed). Run it through
# scripts/with-postgres (make bench-http does): it builds the benchmark organisation with
# manage.py bench_scale.
#
#   TRAVELLERS=10000 DURATION=15 bench/http.sh
set -euo pipefail

TRAVELLERS=${TRAVELLERS:-10000}
DURATION=${DURATION:-15}
WORKERS=${WORKERS:-2}
PY=.venv/bin/python
here=$(cd "$(dirname "$0")" && pwd)

if [[ -z ${DATABASE_URL:-} ]]; then
    echo "bench/http.sh needs DATABASE_URL: run it through scripts/with-postgres." >&2
    exit 2
fi
command -v wrk >/dev/null || scripts/apt-install wrk

tmp=$(mktemp -d -t staysite-bench-http.XXXXXX)
gunicorn_pid=""
cleanup() {
    if [[ -n $gunicorn_pid ]]; then
        kill "$gunicorn_pid" 2>/dev/null || true
        wait "$gunicorn_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

# The settings make serve uses: production, over plain http on loopback.
export DJANGO_DEBUG=false DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost \
    DJANGO_SECURE_SSL_REDIRECT=false DJANGO_SECURE_COOKIES=false
DJANGO_SECRET_KEY=$($PY -c 'import secrets; print(secrets.token_urlsafe(64))')
export DJANGO_SECRET_KEY
printf 'from staysite.settings import *  # noqa\nSTATIC_ROOT = "%s/static"\n' "$tmp" \
    >"$tmp/bench_http_settings.py"
export DJANGO_SETTINGS_MODULE=bench_http_settings PYTHONPATH="$tmp"

$PY manage.py migrate --verbosity 0
$PY manage.py collectstatic --noinput --verbosity 0
# Builds the data and leaves every snapshot fresh; its own figures are not needed here.
DJANGO_DEBUG=true $PY manage.py bench_scale --travellers "$TRAVELLERS" --runs 1 --json \
    >"$tmp/bench_scale.json"
session=$($PY manage.py shell --no-imports -c '
from django.test import Client
from trips.models import User
client = Client()
client.force_login(User.objects.get(username__startswith="bench-hr-"))
print(client.cookies["sessionid"].value)
')

port=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# As make serve runs it, without the access log (a line per request is not what is measured).
.venv/bin/gunicorn staysite.wsgi --bind "127.0.0.1:$port" --workers "$WORKERS" \
    --log-level warning &
gunicorn_pid=$!
url="http://127.0.0.1:$port/"
for _ in $(seq 50); do
    curl --silent --output /dev/null "$url" && break
    sleep 0.2
done
status=$(curl --silent --output /dev/null --write-out '%{http_code}' \
    --cookie "sessionid=$session" --header "HX-Request: true" "$url")
if [[ $status != 200 ]]; then
    echo "The dashboard fragment answered HTTP $status, not 200." >&2
    exit 1
fi

etag=$(curl --silent --output /dev/null --dump-header - \
    --cookie "sessionid=$session" --header "HX-Request: true" "$url" |
    tr -d '\r' | sed -n 's/^etag: //Ip')
status=$(curl --silent --output /dev/null --write-out '%{http_code}' \
    --cookie "sessionid=$session" --header "HX-Request: true" \
    --header "If-None-Match: $etag" "$url")
if [[ $status != 304 ]]; then
    echo "The dashboard fragment answered HTTP $status to its own ETag, not 304." >&2
    exit 1
fi

echo "dashboard fragment, $TRAVELLERS travellers, gunicorn with $WORKERS workers," \
    "${DURATION}s per level (load: $(cut -d' ' -f1-3 /proc/loadavg))"
for clients in 2 8; do
    wrk --threads 2 --connections "$clients" --duration "${DURATION}s" \
        --script "$here/wrk-summary.lua" \
        --header "Cookie: sessionid=$session" --header "HX-Request: true" "$url" |
        sed -n "s/^summary: /in full, $clients clients: /p"
done
for clients in 2 8; do
    wrk --threads 2 --connections "$clients" --duration "${DURATION}s" \
        --script "$here/wrk-summary.lua" --header "If-None-Match: $etag" \
        --header "Cookie: sessionid=$session" --header "HX-Request: true" "$url" |
        sed -n "s/^summary: /revalidated (304), $clients clients: /p"
done
# A yardstick for this machine: the same server and middleware answering /healthz, which
# reads no session and makes one query: a cached fragment costs this plus its own queries.
wrk --threads 2 --connections 8 --duration "${DURATION}s" --script "$here/wrk-summary.lua" \
    "${url}healthz" | sed -n "s/^summary: /yardstick, \/healthz, 8 clients: /p"
