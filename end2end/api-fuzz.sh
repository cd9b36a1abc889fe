#!/usr/bin/env bash
# Property-based fuzzing of the JSON API against its own OpenAPI document
# (`make api-fuzz`): starts the debug server with a throw-away store, signs
# in, and lets schemathesis send generated requests — valid and invalid — to
# every documented route. Any 5xx, undocumented status, wrong content type
# or body that does not match the documented schema fails the run.
#
# The run has its own network namespace with only loopback in it: the fuzzer
# creates endpoints with made-up base URLs and then probes them, so nothing
# it makes up can reach a real host.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/target/debug/model-suite
schemathesis=$root/target/venv/bin/schemathesis
examples=${API_FUZZ_EXAMPLES:-50}
seed=${API_FUZZ_SEED:-20261128}

if [ -z "${API_FUZZ_ISOLATED:-}" ]; then
  exec unshare --net env API_FUZZ_ISOLATED=1 "$0" "$@"
fi
ip link set lo up

for f in "$bin" "$schemathesis"; do
  [ -x "$f" ] || { echo "api-fuzz: $f is missing (make server-debug fuzz-tools)" >&2; exit 1; }
done

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

dir=$(mktemp -d)
server=
cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT

port=$(free_port)
sim_port=$(free_port)
base=http://127.0.0.1:$port
export ADMIN_PASSWORD
ADMIN_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')

# Small load-test limits keep fuzzed runs cheap; no background probes or syncs.
APP_ENV=dev STORAGE_DIR="$dir" SQLITE_PATH="$dir/model_suite.db" LOG_DIR="$dir/logs" \
  LISTEN_ADDR="127.0.0.1:$port" DEMO_UPSTREAM_PORT="$sim_port" SITE_ROOT="$root/target/site-debug" \
  ADMIN_USERNAME=admin LOADTEST_MAX_REQUESTS=20 LOADTEST_MAX_CONCURRENCY=5 LOADTEST_MAX_INFLIGHT=10 \
  MINT_MAX_MINUTES=60 MONITOR_INTERVAL_SECS=0 SYNC_INTERVAL_MINUTES=0 LOG_LEVEL=warn \
  "$bin" serve >"$dir/server.log" 2>&1 &
server=$!

python3 - "$base" <<'EOF' || { echo "api-fuzz: the server did not come up:" >&2; tail -n 20 "$dir/server.log" >&2; exit 1; }
import sys, time, urllib.request
for _ in range(120):
    try:
        with urllib.request.urlopen(sys.argv[1] + "/healthz", timeout=2) as r:
            if r.status == 200:
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.5)
sys.exit(1)
EOF

token=$(python3 - "$base" <<'EOF'
import json, os, sys, urllib.request
body = json.dumps({"username": "admin", "password": os.environ["ADMIN_PASSWORD"]}).encode()
req = urllib.request.Request(sys.argv[1] + "/api/v1/auth/login", data=body,
                             headers={"content-type": "application/json"})
with urllib.request.urlopen(req, timeout=30) as r:
    print(json.load(r)["token"])
EOF
)

echo "api-fuzz: $examples examples per operation, seed $seed"
started=$(date +%s)
status=0
# Run from the throw-away directory: schemathesis keeps its replay files
# in `.schemathesis/` under the working directory.
(cd "$dir" && "$schemathesis" --config-file "$root/end2end/schemathesis.toml" \
  run "$base/api/openapi.json" \
  --header "Authorization: Bearer $token" \
  --max-examples "$examples" --seed "$seed" --generation-database none \
  --report junit --report-junit-path "$root/target/api-fuzz.junit.xml") || status=$?
echo "api-fuzz: $(( $(date +%s) - started )) s"
if [ "$status" -ne 0 ]; then
  echo "api-fuzz: findings above; the server's last log lines:" >&2
  tail -n 20 "$dir/server.log" >&2
fi
exit "$status"
