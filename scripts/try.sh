#!/usr/bin/env bash
# First run: installs the toolchain and dependencies, starts the bundled test cluster
# (seeded with a production-like namespace set, with a node that runs pods), backs the whole
# cluster up into a local repository, then lists and describes the snapshot. Everything
# lands in .kube-backup-demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/toolchain.sh
ensure_toolchain --for-try
yarn install --immutable >/dev/null
yarn build

demo="${KUBE_BACKUP_DEMO_DIR:-$PWD/.kube-backup-demo}"
mkdir -p "$demo"
rm -f "$demo/kubeconfig"
node test/dist/kube-test-server.js --node --seed test/fixtures/production --kubeconfig "$demo/kubeconfig" >"$demo/server.log" 2>&1 &
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
kubectl run hello --image=busybox --restart=Never -- echo hello from a pod on the test cluster
kubectl wait --for=jsonpath='{.status.phase}'=Succeeded pod/hello --timeout=60s
kubectl logs hello
kubectl backup create demo -A
kubectl backup list
kubectl backup describe latest
