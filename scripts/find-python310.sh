#!/usr/bin/env bash
# Prints the path of a CPython 3.10 interpreter: rasa 3.6 installs on nothing newer.
# Order: $PYTHON310, python3.10 on PATH, then pyenv's 3.10.x builds.
set -u
is_310() { "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1; }

candidates=()
[ -n "${PYTHON310:-}" ] && candidates+=("$PYTHON310")
command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
for p in "$pyenv_root"/versions/3.10*/bin/python; do [ -x "$p" ] && candidates+=("$p"); done

for c in "${candidates[@]}"; do
  if is_310 "$c"; then
    # Resolve pyenv shims to the real interpreter so the venv does not depend on them.
    "$c" -c 'import sys; print(sys.executable)'
    exit 0
  fi
done
cat >&2 <<MSG
error: no Python 3.10 interpreter found.
rasa 3.6.21 needs Python 3.10 (it refuses 3.11+). Looked at: \$PYTHON310, python3.10 on PATH,
and $pyenv_root/versions/3.10*/bin/python. Install one (e.g. 'pyenv install 3.10.13')
or point PYTHON310 at it, then run make again.
MSG
exit 1
