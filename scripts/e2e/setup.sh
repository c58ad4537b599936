#!/usr/bin/env bash
# Installs what the end-to-end tests need: Debian's chromium (playwright-core cannot download
# its own browser here), ripgrep, and code-server (real VS Code served to a browser).
# Idempotent: code-server is cached under <repo>/.e2e-cache/ and a marker file records a
# finished install, so a second run only checks and returns in seconds.
#
# Why the manual steps: code-server's postinstall downloads prebuilt binaries and ripgrep
# from hosts these machines cannot reach, so it is installed with --ignore-scripts and its
# native modules are compiled against the machine's own Node headers instead.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="${GRASP_E2E_CACHE:-$ROOT/.e2e-cache}"   # override to share one install between clones
PREFIX="$CACHE/code-server"
CS="$PREFIX/node_modules/code-server"
VSCODE="$CS/lib/vscode"
# Native addons are built for one Node ABI: a new Node major needs a rebuild, hence the ABI in the name.
MARKER="$CACHE/code-server-$CODE_SERVER_VERSION-node-abi$(node -p process.versions.modules).ok"

log() { printf '[e2e-setup %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
start=$(date +%s)

# --- Debian packages ------------------------------------------------------------------
need_apt=()
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)   # headers for the kerberos addon
dpkg -s ripgrep >/dev/null 2>&1 || need_apt+=(ripgrep)           # VS Code search needs rg
dpkg -s chromium >/dev/null 2>&1 || need_apt+=(chromium)         # the browser playwright drives
if ((${#need_apt[@]})); then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  # Wait for a dpkg lock held by someone else's install instead of failing at once.
  APT=(apt-get -q -o DPkg::Lock::Timeout=600)
  # An empty package list means this machine never ran apt-get update.
  if ! apt-cache show "${need_apt[0]}" >/dev/null 2>&1; then
    log "apt-get update"
    $SUDO "${APT[@]}" update
  fi
  log "apt-get install ${need_apt[*]}"
  # A stale package list fails with 404s: refresh it once and retry.
  $SUDO "${APT[@]}" install -y --no-install-recommends "${need_apt[@]}" \
    || { $SUDO "${APT[@]}" update && $SUDO "${APT[@]}" install -y --no-install-recommends "${need_apt[@]}"; }
fi

# --- code-server ----------------------------------------------------------------------
if [ -f "$MARKER" ] && [ -f "$CS/out/node/entry.js" ] && [ -x "$VSCODE/node_modules/@vscode/ripgrep/bin/rg" ]; then
  log "code-server $CODE_SERVER_VERSION already set up ($(($(date +%s) - start))s)"
  exit 0
fi

# Build native addons against the system Node headers (no header download).
export npm_config_nodedir=/usr
# node-pty's postinstall runs `npx node-gyp configure`; without this npx refuses to fetch it.
export npm_config_yes=true
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
# A package.json of its own makes the prefix a separate npm project: nothing touches the repo's manifest or lockfile.
mkdir -p "$PREFIX"
[ -f "$PREFIX/package.json" ] || echo '{"name":"e2e-code-server","private":true}' >"$PREFIX/package.json"

if [ ! -f "$CS/package.json" ] || [ "$(node -p "require('$CS/package.json').version")" != "$CODE_SERVER_VERSION" ]; then
  log "npm install code-server@$CODE_SERVER_VERSION (scripts ignored)"
  npm install --prefix "$PREFIX" --no-save --ignore-scripts "code-server@$CODE_SERVER_VERSION"
fi

log "rebuild argon2 from source"
(cd "$PREFIX" && npm rebuild argon2 --build-from-source)

log "install VS Code's runtime modules (lib/vscode)"
(cd "$VSCODE" && npm install --omit=dev --ignore-scripts)
log "rebuild VS Code native modules"
(cd "$VSCODE" && npm rebuild node-pty @vscode/spdlog native-watchdog kerberos)

# @vscode/ripgrep's postinstall would download rg; use Debian's instead.
mkdir -p "$VSCODE/node_modules/@vscode/ripgrep/bin"
ln -sf "$(command -v rg)" "$VSCODE/node_modules/@vscode/ripgrep/bin/rg"

# A throwaway XDG_CONFIG_HOME: code-server writes a default config.yaml on any start.
log "code-server $(XDG_CONFIG_HOME="$CACHE/xdg" node "$CS/out/node/entry.js" --version | tail -1)"
touch "$MARKER"
log "done in $(($(date +%s) - start))s"
