import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  apiEntityV1alpha1Validator,
  componentEntityV1alpha1Validator,
  DefaultNamespaceEntityPolicy,
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
  systemEntityV1alpha1Validator,
  type Entity,
} from '@backstage/catalog-model';
import { loadAll } from 'js-yaml';
import { ROOT } from './harness';

describe("the project's own catalog-info.yaml", () => {
  it('holds valid Backstage entities whose references resolve within the file', async () => {
    const entities = loadAll(await readFile(join(ROOT, 'catalog-info.yaml'), 'utf8')) as Entity[];
    expect(entities.length).toBeGreaterThan(3);
    const policy = EntityPolicies.allOf([
      new SchemaValidEntityPolicy(),
      new DefaultNamespaceEntityPolicy(),
      new NoForeignRootFieldsEntityPolicy(),
      new FieldFormatEntityPolicy(),
    ]);
    const validators: Record<string, { check(entity: Entity): Promise<boolean> }> = {
      API: apiEntityV1alpha1Validator,
      Component: componentEntityV1alpha1Validator,
      System: systemEntityV1alpha1Validator,
    };
    for (const entity of entities) {
      // The catalog replaces `$text` placeholders with the named file before validating.
      const spec = entity.spec as { definition?: { $text?: string } } | undefined;
      if (spec?.definition?.$text) {
        (entity.spec as Record<string, unknown>).definition = await readFile(
          join(ROOT, spec.definition.$text),
          'utf8',
        );
      }
      expect(await policy.enforce(entity)).toBeDefined();
      expect(await validators[entity.kind].check(entity)).toBe(true);
    }
    const refs = new Set(
      entities.map(entity => `${entity.kind.toLowerCase()}:default/${entity.metadata.name}`),
    );
    for (const entity of entities) {
      const spec = (entity.spec ?? {}) as Record<string, unknown>;
      const dependsOn = (spec.dependsOn as string[] | undefined) ?? [];
      for (const ref of dependsOn) expect(refs).toContain(ref);
      for (const api of [
        ...((spec.providesApis as string[]) ?? []),
        ...((spec.consumesApis as string[]) ?? []),
      ]) {
        expect(refs).toContain(`api:default/${api}`);
      }
      if (spec.system) expect(refs).toContain(`system:default/${spec.system}`);
    }
  });
});
