import type { KubeObject } from '../../snapshot/types';
import type { ObjectType, PatchRule, PatchRuleMatch } from '../types';
import { namePatternMatcher } from '@kube-backup/backstage-plugin-kube-backup-common';
import { applyJsonPatch, JsonPatchError } from './json-patch';
import { applyMergePatch } from './merge-patch';

/** A patch rule that could not apply to an object; the restore stops before writing. */
export class PatchRuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatchRuleError';
  }
}

type Matcher = (type: ObjectType, object: KubeObject) => boolean;

function matcherOf(match: PatchRuleMatch): Matcher {
  const namespace = match.namespace !== undefined ? namePatternMatcher(match.namespace) : undefined;
  const name = match.name !== undefined ? namePatternMatcher(match.name) : undefined;
  const kind = match.kind?.toLowerCase();
  return (type, object) =>
    (match.group === undefined || type.group === match.group) &&
    (kind === undefined || type.kind.toLowerCase() === kind) &&
    (namespace === undefined || namespace(object.metadata.namespace ?? '')) &&
    (name === undefined || name(object.metadata.name ?? '')) &&
    Object.entries(match.labels ?? {}).every(
      ([key, value]) => object.metadata.labels?.[key] === value,
    );
}

/**
 * Applies patch rules in file order. Rules match the object as it will be written (after
 * namespace mapping and label injection). `matched` counts objects per rule, so rules that
 * matched nothing can be reported.
 */
export class PatchRuleSet {
  private readonly matchers: Matcher[];
  readonly matched: number[];

  constructor(private readonly rules: readonly PatchRule[]) {
    this.matchers = rules.map(rule => matcherOf(rule.match));
    this.matched = rules.map(() => 0);
  }

  apply(type: ObjectType, object: KubeObject): KubeObject {
    let result = object;
    this.rules.forEach((rule, index) => {
      if (!this.matchers[index](type, result)) return;
      this.matched[index]++;
      const where = `rule ${index + 1}`;
      try {
        if (rule.jsonPatch) result = applyJsonPatch(result, rule.jsonPatch);
        if (rule.mergePatch) result = applyMergePatch(result, rule.mergePatch);
      } catch (error) {
        if (!(error instanceof JsonPatchError)) throw error;
        throw new PatchRuleError(`${where}: ${error.message}`);
      }
      if (
        typeof result !== 'object' ||
        result === null ||
        typeof result.metadata !== 'object' ||
        result.metadata === null
      ) {
        throw new PatchRuleError(`${where}: the patch removed the object's metadata`);
      }
    });
    return result;
  }

  /** One warning per rule that matched no object. */
  unmatchedWarnings(): string[] {
    return this.matched.flatMap((count, index) =>
      count === 0 ? [`patch rule ${index + 1} matched no object`] : [],
    );
  }
}
