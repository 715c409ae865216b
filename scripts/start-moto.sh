#!/usr/bin/env bash
# Starts the moto AWS emulator (moto[server], from PyPI) on a free loopback port and prints the port.
# Installs it with pip when missing. Used by the AWS gate tests (test/gates/moto.ts) and by .ci/run.
#   scripts/start-moto.sh            -> prints the port; the server keeps running in the background
#   MOTO_PID_FILE=/tmp/x.pid ...     -> also writes the server's pid there (to stop it later)
#   MOTO_LOG=/tmp/moto.log ...       -> server log (default: a temp file)
set -euo pipefail

PY="${PYTHON:-python3}"
if ! "$PY" -c 'import moto.server, flask, flask_cors' >/dev/null 2>&1; then
  echo "start-moto: installing moto[server] with pip" >&2
  "$PY" -m pip install --quiet 'moto[server]>=5.1,<6' >&2
fi

PORT="$("$PY" - <<'PYEOF'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PYEOF
)"

LOG="${MOTO_LOG:-$(mktemp -t moto-XXXXXX.log)}"
# setsid: the server outlives this script; the caller stops it by pid.
setsid "$PY" -m moto.server -H 127.0.0.1 -p "$PORT" >"$LOG" 2>&1 < /dev/null &
PID=$!
if [ -n "${MOTO_PID_FILE:-}" ]; then echo "$PID" > "$MOTO_PID_FILE"; fi

for _ in $(seq 1 100); do
  if "$PY" - "$PORT" <<'PYEOF' >/dev/null 2>&1
import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/moto-api/", timeout=1)
PYEOF
  then
    echo "$PORT"
    exit 0
  fi
  if ! kill -0 "$PID" 2>/dev/null; then
    echo "start-moto: moto server exited; log:" >&2
    cat "$LOG" >&2
    exit 1
  fi
  sleep 0.2
done
echo "start-moto: moto server did not answer on 127.0.0.1:$PORT within 20 s; log: $LOG" >&2
kill "$PID" 2>/dev/null || true
exit 1
