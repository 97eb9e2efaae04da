#!/usr/bin/env bash
# Load test: gunicorn (3 workers) on loopback, driven by wrk over a mix of pages as logged-in users.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/sonla bench/loadtest.sh [seconds] [--restart-db]
#
# Needs the demo data in that database. With --restart-db, PostgreSQL is restarted 10 s into the
# run; a probe then reports how long after the database came back the pages answered again.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-30}"
PORT="${PORT:-8765}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

export DEBUG=0 SECRET_KEY="${SECRET_KEY:-loadtest-$(head -c 48 /dev/urandom | base64 | tr -d '/+=')}"
export ALLOWED_HOSTS=127.0.0.1,localhost SECURE_SSL_REDIRECT=0 BEHIND_TLS_PROXY=0
PY=.venv/bin/python
$PY manage.py collectstatic --noinput -v0
$PY - > bench/requests.txt <<'PYTHON'
# One line per request of the mix: "<session cookie> <path>", every path within that user's scope.
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sonla_party.settings")
django.setup()
from django.test import Client
from establishments.models import Establishment, PartyMember
from candidates.models import Candidate
from sonla_party.models import User
LISTS = ["/", "/establishments/", "/establishments/?has_party_cell=false&as_of=2015-12-31", "/party-cells/",
         "/members/", "/members/?status=official&page=20", "/candidates/", "/candidates/?stage=dossier",
         "/candidates/queue/", "/training-classes/", "/cadres/", "/cadres/assignments/",
         "/reports/quarterly/?year=2024&quarter=3"]
for username in ["board", "reviewer-119", "reviewer-123", "reviewer-126", "commune-03646"]:
    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"].value
    details = [f"/establishments/{pk}/" for pk in Establishment.objects.for_user(user).values_list("pk", flat=True)[:20]]
    details += [f"/members/{pk}/" for pk in PartyMember.objects.for_user(user).values_list("pk", flat=True)[:20]]
    details += [f"/candidates/{pk}/" for pk in Candidate.objects.for_user(user).values_list("pk", flat=True)[:20]]
    for path in LISTS * 3 + details:
        print(cookie, path)
PYTHON
: > /tmp/loadtest-access.log
.venv/bin/gunicorn sonla_party.wsgi --workers 3 --bind "127.0.0.1:$PORT" --access-logfile /tmp/loadtest-access.log \
  --error-logfile /tmp/loadtest-error.log --daemon --pid /tmp/loadtest-gunicorn.pid
trap 'kill "$(cat /tmp/loadtest-gunicorn.pid)" 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

echo "== $(nproc) cores; gunicorn 3 workers; wrk 2 threads, 12 connections, ${DURATION} s"
if [[ "${2:-}" == "--restart-db" ]]; then
  wrk -t2 -c12 -d"${DURATION}s" -s bench/wrk_mix.lua "http://127.0.0.1:$PORT" > /tmp/loadtest-wrk.txt &
  WRK=$!
  COOKIE=$(head -n1 bench/requests.txt | cut -d" " -f1)
  ( end=$((SECONDS + DURATION)); while (( SECONDS < end )); do
      code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: sessionid=$COOKIE" "http://127.0.0.1:$PORT/members/" || true)
      echo "$(date +%s.%N) $code"; sleep 0.2; done ) > /tmp/loadtest-probe.txt &
  sleep 10
  CLUSTER=$(ls /etc/postgresql | sort -V | tail -n1)
  echo "restarting PostgreSQL at $(date +%T.%N)"
  pg_ctlcluster --skip-systemctl-redirect "$CLUSTER" main restart
  BACK=$(date +%s.%N)
  echo "PostgreSQL back at $(date +%T.%N)"
  wait "$WRK"
  wait
  cat /tmp/loadtest-wrk.txt | tail -n 4
  $PY - "$BACK" <<'PYTHON'
import sys
back = float(sys.argv[1])
rows = [line.split() for line in open("/tmp/loadtest-probe.txt")]
failures = [(float(t), c) for t, c in rows if c != "200"]
after = [t for t, c in rows if float(t) >= back and c == "200"]
print(f"probe: {len(rows)} requests, {len(failures)} failed", end="")
if failures:
    print(f", failures from {failures[0][0] - back:+.1f} s to {failures[-1][0] - back:+.1f} s around the database's return", end="")
print(f"; first success {float(after[0]) - back:.1f} s after the database was back" if after else "; no success after")
PYTHON
else
  wrk -t2 -c12 -d"${DURATION}s" -s bench/wrk_mix.lua "http://127.0.0.1:$PORT" | tail -n 4
fi
echo "server errors logged: $(grep -c ' 50[0-9] ' /tmp/loadtest-access.log || true) responses with status 5xx"
