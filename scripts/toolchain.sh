# Puts Node 22 and the pinned Yarn on PATH, installing them (from the npm registry) and the
# Debian packages the tests drive (kubectl, PostgreSQL, Chromium, and for the test cluster's
# node runc, busybox-static, restic and containerd) when they are missing. Sourced by .ci/run
# and the README's commands.
TOOLS="${KUBE_BACKUP_TOOLS:-$HOME/.cache/kube-backup-tools}"
NODE_VERSION=22.23.3

ensure_toolchain() {
  # --for-try: only what scripts/try.sh needs (no databases, browsers or image tools).
  local for_try=""
  [ "${1:-}" = "--for-try" ] && for_try=1
  mkdir -p "$TOOLS/bin"
  if [ ! -x "$TOOLS/node-$NODE_VERSION/node_modules/node/bin/node" ]; then
    echo "installing node $NODE_VERSION into $TOOLS" >&2
    npm install --silent --no-audit --no-fund --prefix "$TOOLS/node-$NODE_VERSION" "node@$NODE_VERSION" >&2
  fi
  export PATH="$TOOLS/node-$NODE_VERSION/node_modules/node/bin:$TOOLS/bin:$PATH"
  # The npm package of Node carries its headers: native modules (the SQLite drivers of the
  # test database and of the adopter test's app) build against them, offline.
  local platform_package
  for platform_package in "$TOOLS/node-$NODE_VERSION/node_modules/node/node_modules"/node-*/include/node; do
    [ -d "$platform_package" ] && export npm_config_nodedir="${platform_package%/include/node}"
  done
  export COREPACK_NPM_REGISTRY="https://registry.npmjs.org"
  export COREPACK_ENABLE_DOWNLOAD_PROMPT=0
  if [ ! -e "$TOOLS/bin/yarn" ]; then
    corepack enable --install-directory "$TOOLS/bin"
  fi
  local missing=()
  command -v kubectl >/dev/null || missing+=(kubernetes-client)
  command -v openssl >/dev/null || missing+=(openssl)
  # The test cluster's node runs pods under runc from images built of busybox-static.
  command -v runc >/dev/null || missing+=(runc)
  dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
  if [ -n "$for_try" ]; then
    install_debian_packages "${missing[@]}"
    return
  fi
  # The CLI and data-mover images carry restic and the CA certificates; the image suite
  # imports the archives with ctr.
  command -v restic >/dev/null || missing+=(restic)
  [ -e /etc/ssl/certs/ca-certificates.crt ] || missing+=(ca-certificates)
  command -v ctr >/dev/null || missing+=(containerd)
  # Backstage's production database, which the backend plugin's suites start themselves.
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
  # The browser end-to-end test drives Debian's Chromium with playwright-core.
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  install_debian_packages "${missing[@]}"
}

install_debian_packages() {
  [ $# -gt 0 ] || return 0
  echo "installing Debian packages: $*" >&2
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >&2
}
