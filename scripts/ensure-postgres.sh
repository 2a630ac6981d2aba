#!/usr/bin/env bash
# The store tests use the real PostgreSQL on 127.0.0.1:5432 (database `test`, trust auth).
# Start it if it is down; fail loudly (never skip) if it cannot be reached.
set -u
ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
ready && exit 0
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  for version in $(ls /etc/postgresql); do
    pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
  done
fi
for _ in $(seq 1 30); do ready && exit 0; sleep 1; done
echo "error: PostgreSQL is not reachable on 127.0.0.1:5432 and could not be started;" \
     "the store tests need it (database 'test', trust auth)." >&2
exit 1
