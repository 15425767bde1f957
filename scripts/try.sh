#!/usr/bin/env bash
# First run: installs the toolchain and dependencies, starts the bundled test cluster
# (seeded with a production-like namespace set), backs the whole cluster up into a local
# repository, then lists and describes the snapshot. Everything lands in .kube-backup-demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/toolchain.sh
ensure_toolchain
yarn install --immutable >/dev/null
yarn build

demo="${KUBE_BACKUP_DEMO_DIR:-$PWD/.kube-backup-demo}"
mkdir -p "$demo"
rm -f "$demo/kubeconfig"
node test/dist/kube-test-server.js --seed test/fixtures/production --kubeconfig "$demo/kubeconfig" >"$demo/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 100); do [ -s "$demo/kubeconfig" ] && break; sleep 0.1; done
[ -s "$demo/kubeconfig" ] || { echo "error: the test cluster did not start; see $demo/server.log" >&2; exit 1; }

export KUBECONFIG="$demo/kubeconfig"
export KUBE_BACKUP_REPOSITORY="file://$demo/repository"
export KUBE_BACKUP_PASSWORD="${KUBE_BACKUP_PASSWORD:-demo-password}"
export PATH="$PWD/kubectl-plugin/dist:$PATH"

[ -e "$demo/repository/config" ] || kubectl backup repo init
set -x
kubectl get deployments -A
kubectl backup create demo -A
kubectl backup list
kubectl backup describe latest
