/**
 * A synthetic application estate for benchmarks: `namespaces` namespaces, each with an
 * even mix of Deployments (with pod templates that reference config), Services,
 * ConfigMaps, Secrets and ServiceAccounts, totalling `total` objects.
 */
export function generateEstate(
  total: number,
  namespaces: number,
  prefix = 'bench',
): Array<Record<string, unknown>> {
  const perNamespace = Math.floor(total / namespaces);
  const objects: Array<Record<string, unknown>> = [];
  for (let n = 0; n < namespaces; n++) {
    const namespace = `${prefix}-${String(n).padStart(2, '0')}`;
    objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    for (let i = 0; objects.length < (n + 1) * (perNamespace + 1); i++) {
      const app = `app-${i}`;
      const labels = { app, 'backstage.io/kubernetes-id': `service-${i % 20}` };
      const metadata = { name: app, namespace, labels };
      const payload = `${namespace}/${app} `.repeat(8);
      switch (i % 5) {
        case 0:
          objects.push({
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata,
            data: { 'app.properties': payload, LOG_LEVEL: 'info' },
          });
          break;
        case 1:
          objects.push({
            apiVersion: 'v1',
            kind: 'Secret',
            metadata,
            type: 'Opaque',
            data: { password: Buffer.from(`pw-${payload}`).toString('base64') },
          });
          break;
        case 2:
          objects.push({
            apiVersion: 'v1',
            kind: 'Service',
            metadata,
            spec: { selector: { app }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
          });
          break;
        case 3:
          objects.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata });
          break;
        case 4:
          objects.push({
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata,
            spec: {
              replicas: 2,
              selector: { matchLabels: { app } },
              template: {
                metadata: { labels },
                spec: {
                  containers: [
                    {
                      name: 'app',
                      image: `registry.example.com/${app}:1.${i}`,
                      ports: [{ containerPort: 8080 }],
                      envFrom: [{ configMapRef: { name: `app-${i - 4}` } }],
                      resources: { requests: { cpu: '100m', memory: '128Mi' } },
                    },
                  ],
                },
              },
            },
          });
          break;
      }
    }
  }
  return objects;
}
