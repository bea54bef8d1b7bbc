#!/usr/bin/env bash
# Fuzzes the in-memory reelbyte-server against its own OpenAPI document with
# schemathesis: no request may produce a 5xx, and every documented response
# must match its schema. Installs schemathesis from PyPI into a venv under the
# cargo target directory, starts the server on a free port, and stops it
# again. Exits non-zero when schemathesis finds a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

mkdir -p "${CARGO_TARGET_DIR:-target}"
target=$(cd "${CARGO_TARGET_DIR:-target}" && pwd)
venv="$target/schemathesis-venv"
max_examples="${SCHEMATHESIS_MAX_EXAMPLES:-20}"
# A fixed seed keeps CI reproducible; set SCHEMATHESIS_SEED to explore.
seed="${SCHEMATHESIS_SEED:-20261125}"

if [ ! -x "$venv/bin/schemathesis" ]; then
  echo "schemathesis: installing into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis>=4,<5"
fi

cargo build -q -p reelbyte-examples --bin reelbyte-server
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
log="$target/schemathesis-server.log"

# Rate limits off: the fuzzer sends far more than a client would.
env -u DATABASE_URL -u REDIS_URL RUST_LOG=warn "$target/debug/reelbyte-server" --listen "127.0.0.1:$port" \
  --login-limit-per-minute 0 --write-limit-per-minute 0 >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT

for _ in $(seq 1 50); do
  if python3 -c "import urllib.request; urllib.request.urlopen('$base/healthz', timeout=1)" 2>/dev/null; then
    break
  fi
  sleep 0.2
done

# A signed-in user, so that the authenticated operations get past 401.
token=$(python3 - "$base" <<'PY'
import json, sys, urllib.request
base = sys.argv[1]
def post(path, body):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req, timeout=30))
post("/api/v1/auth/register", {"email": "fuzz@example.com", "password": "fuzzing password",
                               "user_type": "both", "display_name": "Fuzz"})
print(post("/api/v1/auth/login", {"email": "fuzz@example.com", "password": "fuzzing password"})["token"])
PY
)

# The operations that end the fuzzing session are left out: after them every
# other request would only meet 401.
# Run from the target directory: schemathesis keeps a cache where it runs.
status=0
cd "$target"
"$venv/bin/schemathesis" --no-color run "$base/openapi.json" \
  --checks not_a_server_error,response_schema_conformance \
  --max-examples "$max_examples" \
  --seed "$seed" \
  --generation-database none \
  --header "Authorization: Bearer $token" \
  --exclude-operation-id-regex '^(logout|logout_everywhere|change_password|delete_account|erase_user)$' \
  --request-timeout 30 \
  || status=$?

if [ "$status" -ne 0 ]; then
  echo "schemathesis: failed (exit $status); server log: $log" >&2
fi
exit "$status"
