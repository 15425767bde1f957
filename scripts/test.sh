#!/usr/bin/env bash
# Runs every test: installs the toolchain and dependencies when missing, builds the
# executables, type-checks, lints, and runs jest over all workspaces.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/toolchain.sh
ensure_toolchain
yarn install --immutable
yarn test
