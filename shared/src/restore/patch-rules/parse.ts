import { UserError } from '../../errors';
import type { PatchRule } from '../types';
import { validatePatchRules } from './validate';

/**
 * Reads a patch-rules file (YAML or JSON) and validates all of it. `source` names the file
 * in messages. Every error is reported at once, so one edit fixes them all.
 */
export async function parsePatchRules(text: string, source = 'patch rules'): Promise<PatchRule[]> {
  if (text.trim() === '') return [];
  const { load } = await import('js-yaml');
  let document: unknown;
  try {
    document = load(text);
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    throw new UserError('invalid-argument', `${source}: not valid YAML: ${reason}`);
  }
  const { rules, errors } = validatePatchRules(document);
  if (errors.length > 0) {
    throw new UserError('invalid-argument', `${source}: ${errors.join('; ')}`);
  }
  return rules;
}
