#!/usr/bin/env bash
# First run: installs the toolchain and dependencies, starts the bundled test cluster
# (seeded with a production-like namespace set, with a node that runs pods), backs the whole
# cluster up into a local repository, then a claim's data through a data mover, and lists
# and describes the snapshots. Everything lands in .kube-backup-demo/.
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
# The node runs on this machine, so it mounts the repository's folder at the same path.
export KUBE_BACKUP_REPOSITORY_NODE_PATH="$demo/repository"
export PATH="$PWD/kubectl-plugin/dist:$PATH"

[ -e "$demo/repository/config" ] || kubectl backup repo init
set -x
kubectl get deployments -A
kubectl run hello --image=busybox --restart=Never -- echo hello from a pod on the test cluster
kubectl wait --for=jsonpath='{.status.phase}'=Succeeded pod/hello --timeout=60s
kubectl logs hello
# The seeded claims live on cloud volumes this node cannot mount: their objects only.
kubectl backup create demo -A --volumes none
kubectl create namespace notes
kubectl apply -n notes -f - <<'EOF'
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: notes }
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: csi-hostpath-sc
  resources: { requests: { storage: 1Gi } }
---
apiVersion: v1
kind: Pod
metadata: { name: writer }
spec:
  restartPolicy: Never
  containers:
    - name: writer
      image: kube-backup/test-app
      args: [fill, /data, '100', '10000']
      volumeMounts: [{ name: notes, mountPath: /data }]
  volumes: [{ name: notes, persistentVolumeClaim: { claimName: notes } }]
EOF
kubectl wait -n notes --for=jsonpath='{.status.phase}'=Succeeded pod/writer --timeout=120s
kubectl backup create notes -n notes --volumes all
kubectl backup list
kubectl backup describe latest
