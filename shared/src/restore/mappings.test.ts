import { UserError } from '../errors';
import { parseAssignments, parseMapping } from './mappings';

describe('parseMapping', () => {
  it('reads comma-separated and repeated pairs', () => {
    expect(parseMapping(['prod:staging,qa:dev', 'ops:tools'], '--namespace-mapping')).toEqual({
      prod: 'staging',
      qa: 'dev',
      ops: 'tools',
    });
  });

  it('keeps a registry port with its host', () => {
    expect(parseMapping('registry.local:5000:mirror.example:443', 'm')).toEqual({
      'registry.local:5000': 'mirror.example:443',
    });
    expect(parseMapping('old.example:new.example/team', 'm')).toEqual({
      'old.example': 'new.example/team',
    });
  });

  it('names the option and the bad item', () => {
    expect(() => parseMapping('prod', '--namespace-mapping')).toThrow(
      new UserError('invalid-argument', '--namespace-mapping: "prod" is not old:new'),
    );
    expect(() => parseMapping('a:b,a:c', '--x')).toThrow('"a" is mapped twice');
  });
});

describe('parseAssignments', () => {
  it('reads labels', () => {
    expect(parseAssignments(['env=staging,team=shop'], '--add-labels')).toEqual({
      env: 'staging',
      team: 'shop',
    });
  });

  it('rejects what the API server would', () => {
    expect(() => parseAssignments('env', '--add-labels')).toThrow('is not key=value');
    expect(() => parseAssignments('bad key=x', '--add-labels')).toThrow('not a valid key');
    expect(() => parseAssignments(`a=${'x'.repeat(64)}`, '--add-labels')).toThrow(
      'not a valid label value',
    );
  });
});
