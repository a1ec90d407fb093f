#!/usr/bin/env bash
# Install anywhere (issue 20): a fresh clone of the committed HEAD installs and runs with
# nothing on PATH but node, npm and npx (no python, make, cc, g++, git). It runs the README's
# first command, `npx -y pnpm@10.34.9 install` then `... start`, on free ports, waits for the
# services, sends one real request to each over HTTP (with node: curl is not on that PATH),
# checks the envelope and stops Keel. Called from .ci/run; on its own: bash scripts/ci/install-anywhere.sh
# Reuses this user's npm cache and pnpm store (HOME is kept), so a warm run takes well under a minute.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
PNPM="pnpm@10.34.9"
INSTALL_TIMEOUT_S="${INSTALL_TIMEOUT_S:-900}"
START_TIMEOUT_S="${START_TIMEOUT_S:-120}"
started_at=$SECONDS
say() { echo "install-anywhere [$((SECONDS - started_at))s]: $*"; }
fail() {
  echo "install-anywhere: FAILED: $*" >&2
  exit 1
}

for tool in node npm npx; do command -v "$tool" >/dev/null || fail "$tool is not on PATH"; done
if ! command -v git >/dev/null 2>&1; then
  # Cloning the committed tree needs git; a bare Debian CI machine may lack it (as root, apt has it).
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || fail "git is needed to clone the repository"
  say "installing git from Debian's packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq git >/dev/null
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/keel-install-anywhere.XXXXXX")"
keel_pid=""
cleanup() {
  local status=$?
  if [ -n "$keel_pid" ] && kill -0 "$keel_pid" 2>/dev/null; then
    kill -TERM -- "-$keel_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$keel_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$keel_pid" 2>/dev/null || true
  fi
  if [ "$status" -ne 0 ] && [ -f "$work/keel.log" ]; then
    echo "--- last lines of Keel's output ---" >&2
    tail -n 40 "$work/keel.log" >&2
  fi
  rm -rf "$work"
}
trap cleanup EXIT

git clone --quiet "$repo" "$work/keel"
say "cloned $(git -C "$work/keel" rev-parse --short HEAD) into $work/keel"

# A bin folder with node, npm and npx only: that is the whole PATH from here on.
mkdir "$work/bin"
for tool in node npm npx; do ln -s "$(command -v "$tool")" "$work/bin/$tool"; done
bare=(env -i "PATH=$work/bin" "HOME=$HOME" "TMPDIR=${TMPDIR:-/tmp}" "LANG=${LANG:-C.UTF-8}")
# Only what reaching the npm registry from this machine may need, and CI (pnpm then keeps the lockfile frozen).
for name in CI NODE_EXTRA_CA_CERTS HTTP_PROXY HTTPS_PROXY NO_PROXY http_proxy https_proxy no_proxy npm_config_registry; do
  [ -n "${!name:-}" ] && bare+=("$name=${!name}")
done
for tool in python python3 make cc gcc g++ clang git curl; do
  if "${bare[@]}" sh -c "command -v $tool" >/dev/null 2>&1; then fail "$tool is reachable on the bare PATH"; fi
done

say "npx -y $PNPM install (PATH=$work/bin: node, npm, npx)"
if ! (cd "$work/keel" && timeout "$INSTALL_TIMEOUT_S" "${bare[@]}" npx -y "$PNPM" install >"$work/install.log" 2>&1); then
  tail -n 40 "$work/install.log" >&2
  fail "install failed or took over ${INSTALL_TIMEOUT_S}s"
fi
tail -n 3 "$work/install.log"
# pnpm 10 skips a dependency's build script it was not told about and says so: that dependency is new and unvetted.
if grep -qi "ignored build scripts" "$work/install.log"; then
  grep -i -A2 "ignored build scripts" "$work/install.log" >&2
  fail "a dependency wants to run a build script; list it in pnpm-workspace.yaml with a reason (see issue 20)"
fi

free_port() { node -e 'const server = require("node:net").createServer(); server.listen(0, "127.0.0.1", () => { console.log(server.address().port); server.close(); });'; }
trpc_port="$(free_port)"
graphql_port="$(free_port)"
openai_port="$(free_port)"
simulator_port="$(free_port)"

say "npx -y $PNPM start (tRPC :$trpc_port, GraphQL :$graphql_port, simulator :$simulator_port)"
(
  cd "$work/keel"
  exec setsid "${bare[@]}" "KEEL_TRPC_PORT=$trpc_port" "KEEL_GRAPHQL_PORT=$graphql_port" \
    "KEEL_OPENAI_PORT=$openai_port" "KEEL_SIMULATOR_PORT=$simulator_port" npx -y "$PNPM" start
) >"$work/keel.log" 2>&1 &
keel_pid=$!

# The same node binary sends the requests and checks the envelopes, with the bare environment.
check='
const [trpcPort, graphqlPort, timeoutSeconds] = process.argv.slice(1).map(Number);
const deadline = Date.now() + timeoutSeconds * 1000;
const ask = { messages: [{ role: "user", content: "Hi" }], model: "gpt-4o-mini", temperature: 0 };
for (const port of [trpcPort, graphqlPort]) {
  for (;;) {
    const health = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
    if (health?.ok) break;
    if (Date.now() > deadline) throw new Error(`no /healthz answer on port ${port} within ${timeoutSeconds}s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
const post = async (url, body) => {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${text}`);
  return JSON.parse(text);
};
const checkEnvelope = (service, generation) => {
  const fine = generation && typeof generation.id === "string" && typeof generation.content === "string" && generation.content.length > 0 &&
    typeof generation.model === "string" && typeof generation.provider === "string" && ["miss", "exact", "semantic"].includes(String(generation.cache).toLowerCase()) &&
    typeof generation.attempts === "number" && typeof generation.usage?.totalTokens === "number" && typeof generation.costUsd === "number" && typeof generation.latencyMs === "number";
  if (!fine) throw new Error(`${service}: not a generation envelope: ${JSON.stringify(generation)}`);
  console.log(`${service}: cache ${generation.cache}, model ${generation.model} via ${generation.provider}, ${generation.usage.totalTokens} tokens, content ${JSON.stringify(generation.content.slice(0, 60))}`);
};
checkEnvelope("tRPC ai.generate", (await post(`http://127.0.0.1:${trpcPort}/trpc/ai.generate`, ask)).result?.data);
const fields = "id content model provider cache attempts usage { promptTokens completionTokens totalTokens } costUsd latencyMs";
const answer = await post(`http://127.0.0.1:${graphqlPort}/graphql`, { query: `mutation { generate(input: { model: "gpt-4o-mini", messages: [{ role: USER, content: "Hi" }], temperature: 0 }) { ${fields} } }` });
if (answer.errors) throw new Error(`GraphQL generate: ${JSON.stringify(answer.errors)}`);
checkEnvelope("GraphQL generate", answer.data?.generate);
'
if ! "${bare[@]}" node --input-type=module -e "$check" "$trpc_port" "$graphql_port" "$START_TIMEOUT_S"; then
  fail "Keel did not start or did not answer (see its output below)"
fi
grep -q "Keel is running" "$work/keel.log" || fail "Keel answered but printed no start banner"

kill -TERM -- "-$keel_pid"
for _ in $(seq 1 100); do kill -0 "$keel_pid" 2>/dev/null || break; sleep 0.2; done
kill -0 "$keel_pid" 2>/dev/null && fail "Keel did not stop within 20s of SIGTERM"
wait "$keel_pid" 2>/dev/null || true
keel_pid=""
say "passed: installed and ran with node, npm and npx alone"
