import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import type { KubeObject } from '../snapshot/types';
import { sanitizeObject } from './sanitize';

/**
 * Golden files: each `<name>.in.yaml` is an object as a cluster returns it, and
 * `<name>.out.yaml` beside it is what a snapshot must keep of it, written by hand.
 */
const FIXTURES = join(__dirname, 'fixtures', 'sanitize');
const read = (file: string) => load(readFileSync(join(FIXTURES, file), 'utf8')) as KubeObject;
const cases = readdirSync(FIXTURES)
  .filter(file => file.endsWith('.in.yaml'))
  .map(file => file.slice(0, -'.in.yaml'.length))
  .sort();

describe('sanitising captured objects', () => {
  it('has a golden pair for every fixture', () => {
    const outputs = readdirSync(FIXTURES).filter(file => file.endsWith('.out.yaml'));
    expect(outputs.map(file => file.slice(0, -'.out.yaml'.length)).sort()).toEqual(cases);
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });

  it.each(cases)('%s: keeps what a user wrote and nothing the cluster set', name => {
    expect(sanitizeObject(read(`${name}.in.yaml`))).toEqual(read(`${name}.out.yaml`));
  });

  it.each(cases)('%s: an object already sanitised stays as it is', name => {
    const clean = read(`${name}.out.yaml`);
    expect(sanitizeObject(clean)).toEqual(clean);
  });

  it('does not change the object it was given', () => {
    const original = read('deployment.in.yaml');
    sanitizeObject(original);
    expect(original).toEqual(read('deployment.in.yaml'));
  });
});
