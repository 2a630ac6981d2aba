#!/usr/bin/env bash
# Runs the action server in the background, waits until it answers, runs the given
# command in the foreground, and stops the action server when the command exits
# (normally, on error, or on Ctrl-C).
set -euo pipefail
cd "$(dirname "$0")/.."

: "${ACTION_PORT:=5055}"
: "${ACTION_HOST:=127.0.0.1}"
mkdir -p var
log=var/action-server.log

# Refuse to start on an unreachable database or a schema that is behind (names the fix).
.venv/bin/python -m img_store check

# rasa_sdk binds SANIC_HOST (default 0.0.0.0); keep it on loopback unless told otherwise.
# Rasa sends ACTION_SERVER_SECRET on every call (endpoints.yml); a random one per run if unset.
if [ -z "${ACTION_SERVER_SECRET:-}" ]; then
  ACTION_SERVER_SECRET=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))')
fi
export ACTION_SERVER_SECRET
SANIC_HOST="$ACTION_HOST" .venv/bin/python -m img_deploy.action_server --actions actions \
  --port "$ACTION_PORT" >"$log" 2>&1 &
action_pid=$!
cleanup() { kill "$action_pid" 2>/dev/null || true; wait "$action_pid" 2>/dev/null || true; }
trap cleanup EXIT INT TERM

for _ in $(seq 1 120); do
  if curl -fsS "http://$ACTION_HOST:$ACTION_PORT/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$action_pid" 2>/dev/null; then
    echo "error: the action server did not start; see $log" >&2; tail -20 "$log" >&2; exit 1
  fi
  sleep 0.5
done
echo "action server ready on $ACTION_HOST:$ACTION_PORT (log: $log)"
"$@"
