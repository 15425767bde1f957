import { IMAGES } from '../src/testing/pod-cluster';

/**
 * A pod that fills claim `data` with a copy of a folder on the host (modes, owners and times
 * kept), so a benchmark's volume holds data made outside the cluster, fast.
 */
export function copyIntoClaimPod(source: string) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'copy' },
    spec: {
      restartPolicy: 'Never',
      containers: [
        {
          name: 'copy',
          image: IMAGES.testApp,
          command: ['cp', '-a', '/source/.', '/data/'],
          volumeMounts: [
            { name: 'source', mountPath: '/source', readOnly: true },
            { name: 'data', mountPath: '/data' },
          ],
        },
      ],
      volumes: [
        { name: 'source', hostPath: { path: source, type: 'Directory' } },
        { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
      ],
    },
  };
}
