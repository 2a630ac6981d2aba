#!/usr/bin/env bash
# The cluster (lock store) and its tests use the real Redis on 127.0.0.1:6379.
# Start it if it is down; fail loudly (never skip) if it cannot be reached.
set -u
ready() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }
ready && exit 0
if command -v redis-server >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp --logfile /tmp/redis-img-advisor.log >/dev/null 2>&1 || true
fi
for _ in $(seq 1 20); do ready && exit 0; sleep 0.5; done
echo "error: Redis is not reachable on 127.0.0.1:6379 and could not be started;" \
     "the cluster and its tests need it (lock store)." >&2
exit 1
