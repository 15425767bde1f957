#!/usr/bin/env bash
# Runs every test: installs the toolchain and dependencies when missing, builds the
# executables, type-checks, lints, runs jest over all workspaces, then the packaging suites:
# the adopter test (the packed Backstage packages installed into an app made by
# @backstage/create-app) and the release (every artifact of `yarn release`, checked).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/toolchain.sh
ensure_toolchain
yarn install --immutable
yarn test
yarn test:packaging
