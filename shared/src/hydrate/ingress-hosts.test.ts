import type { PlannedObject } from '../restore/types';
import { leaveOutCompetingIngresses, rewriteIngressHosts } from './ingress-hosts';

const ingress = (name: string, spec: Record<string, unknown>): PlannedObject => ({
  type: {
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'Ingress',
    resource: 'ingresses',
    namespaced: true,
  },
  object: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name }, spec },
});

const shop = ingress('shop', {
  rules: [{ host: 'shop.example.com' }, { host: 'www.shop.example.com' }],
  tls: [{ hosts: ['shop.example.com', 'www.shop.example.com'], secretName: 'tls' }],
});
const production = new Set(['shop.example.com', 'www.shop.example.com', 'api.example.com']);

describe('Ingress hosts in a hydration', () => {
  it('appends the suffix to every rule and TLS host, leaving the input alone', () => {
    const [moved] = rewriteIngressHosts([shop], 'dev.example.test');
    expect(moved.object.spec).toEqual({
      rules: [
        { host: 'shop.example.com.dev.example.test' },
        { host: 'www.shop.example.com.dev.example.test' },
      ],
      tls: [
        {
          hosts: ['shop.example.com.dev.example.test', 'www.shop.example.com.dev.example.test'],
          secretName: 'tls',
        },
      ],
    });
    expect((shop.object.spec as { rules: Array<{ host: string }> }).rules[0].host).toBe(
      'shop.example.com',
    );
  });

  it('leaves out what would answer for a production host or for every host', () => {
    const catchAll = ingress('all', { rules: [{ http: {} }] });
    const backendOnly = ingress('default', { defaultBackend: { service: { name: 'web' } } });
    const own = ingress('own', { rules: [{ host: 'dev.example.test' }] });
    const { objects, leftOut } = leaveOutCompetingIngresses(
      [shop, catchAll, backendOnly, own],
      production,
    );
    expect(objects).toEqual([own]);
    expect(leftOut).toEqual([
      {
        name: 'shop',
        hosts: ['shop.example.com', 'www.shop.example.com'],
        reason: 'host shop.example.com, www.shop.example.com are production hosts',
        catchAll: false,
      },
      { name: 'all', hosts: [], reason: 'it answers for every host', catchAll: true },
      { name: 'default', hosts: [], reason: 'it answers for every host', catchAll: true },
    ]);
    const moved = rewriteIngressHosts([shop], 'dev.example.test');
    expect(leaveOutCompetingIngresses(moved, production).leftOut).toEqual([]);
  });
});
