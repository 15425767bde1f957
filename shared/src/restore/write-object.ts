import type { KubeClient } from '../cluster/kube-client';
import { KubeApiError } from '../cluster/kube-api-error';
import { apiVersionOf, collectionPath, objectPath } from '../cluster/resource-types';
import { UserError } from '../errors';
import type { KubeObject } from '../snapshot/types';
import { changedFields, comparableForm, redactSecrets, unifiedDiff } from './object-diff';
import { deepEqual } from '../util/deep-equal';
import type { ExistingDecision, ExistingPolicy, ObjectOutcome, PlannedObject } from './types';

export const FIELD_MANAGER = 'kube-backup';

export interface WriteContext {
  client: KubeClient;
  existing: ExistingDecision;
  dryRun: boolean;
  /**
   * Dry run: why the server cannot validate this object yet (its namespace or definition
   * would be created by this restore), or undefined when it can.
   */
  notYetValidatable?: (planned: PlannedObject) => string | undefined;
  /** Whether the object is known to exist already (a namespace looked up before writing). */
  knownToExist?: (planned: PlannedObject) => boolean;
}

/** `undefined` for an implied object (a namespace the restore needs) that already exists. */
export type WriteResult = ObjectOutcome | undefined;

/**
 * Writes one object under the existing-object policy and says what happened. Creating is
 * a single request when the policy is a fixed skip or fail (an existing object answers
 * AlreadyExists and is left alone); otherwise the live object is read first. Updates are
 * server-side applies owned by `kube-backup`, forced so the snapshot's values win.
 */
export async function writeObject(
  context: WriteContext,
  planned: PlannedObject,
): Promise<WriteResult> {
  const base = outcomeBase(planned);
  try {
    if (leftAsItIs(context, planned)) return existingOutcome(planned, base, 'skip');
    if (context.dryRun) return await dryRunWrite(context, planned, base);
    const fixed = planned.createOnly ? 'skip' : context.existing;
    if (fixed === 'skip' || fixed === 'fail') {
      return await createOrReport(context, planned, base, fixed);
    }
    const live = await getLive(context.client, planned);
    if (!live) {
      await apply(context.client, planned, { force: false });
      return { ...base, outcome: 'created' };
    }
    const policy = decide(context.existing, live);
    if (policy !== 'update') return existingOutcome(planned, base, policy);
    const written = await apply(context.client, planned, { force: true });
    return {
      ...base,
      outcome: deepEqual(comparableForm(live), comparableForm(written)) ? 'unchanged' : 'updated',
    };
  } catch (error) {
    return failure(base, error);
  }
}

/**
 * The API verbs writing the object takes, following the requests writeObject makes: a
 * create alone under a fixed skip or fail policy, otherwise a read and a server-side apply
 * (which needs create too when the object is absent); none for an object left as it is.
 */
export function verbsToWrite(context: WriteContext, planned: PlannedObject): string[] {
  if (leftAsItIs(context, planned)) return [];
  const fixed = planned.createOnly ? 'skip' : context.existing;
  if (!context.dryRun && (fixed === 'skip' || fixed === 'fail')) return ['create'];
  return ['get', 'create', 'patch'];
}

/** An object known to exist that the policy would skip: no request needed at all. */
function leftAsItIs(context: WriteContext, planned: PlannedObject): boolean {
  return (
    (planned.implied === true || planned.createOnly !== undefined || context.existing === 'skip') &&
    context.knownToExist?.(planned) === true
  );
}

async function createOrReport(
  context: WriteContext,
  planned: PlannedObject,
  base: ObjectOutcome,
  policy: Exclude<ExistingPolicy, 'update'>,
): Promise<WriteResult> {
  try {
    await context.client.request({
      method: 'POST',
      path: collectionPath(planned.type, planned.object.metadata.namespace),
      query: { fieldManager: FIELD_MANAGER },
      body: planned.object,
    });
    return { ...base, outcome: 'created' };
  } catch (error) {
    if (error instanceof KubeApiError && error.reason === 'AlreadyExists') {
      return existingOutcome(planned, base, policy);
    }
    throw error;
  }
}

async function dryRunWrite(
  context: WriteContext,
  planned: PlannedObject,
  base: ObjectOutcome,
): Promise<WriteResult> {
  const pending = context.notYetValidatable?.(planned);
  if (pending)
    return { ...base, outcome: 'created', message: `not validated by the server: ${pending}` };
  const live = await getLive(context.client, planned);
  if (!live) {
    await apply(context.client, planned, { force: false, dryRun: true });
    return { ...base, outcome: 'created' };
  }
  const policy = planned.createOnly ? 'skip' : decide(context.existing, live);
  if (policy === 'fail') return existingOutcome(planned, base, policy);
  const wouldBe = await apply(context.client, planned, { force: true, dryRun: true });
  const before = comparableForm(live);
  const after = comparableForm(wouldBe);
  const fields = changedFields(before, after);
  const diff = fields.length > 0 ? await unifiedDiff(...redactSecrets(before, after)) : [];
  const changes = fields.length > 0 ? { diff, changedFields: fields } : {};
  if (policy === 'skip') {
    const outcome = existingOutcome(planned, base, policy);
    if (!outcome || fields.length === 0) return outcome;
    return {
      ...outcome,
      message: `exists and differs from the snapshot in ${fields.length} field(s); left as is`,
      ...changes,
    };
  }
  return { ...base, outcome: fields.length > 0 ? 'updated' : 'unchanged', ...changes };
}

function decide(existing: ExistingDecision, live: KubeObject): ExistingPolicy {
  return typeof existing === 'function' ? existing(live) : existing;
}

function existingOutcome(
  planned: PlannedObject,
  base: ObjectOutcome,
  policy: Exclude<ExistingPolicy, 'update'>,
): WriteResult {
  if (planned.implied) return undefined;
  if (policy === 'skip') {
    return {
      ...base,
      outcome: 'skipped-exists',
      ...(planned.createOnly ? { message: `exists; left as it is: ${planned.createOnly}` } : {}),
    };
  }
  return {
    ...base,
    outcome: 'failed',
    reason: 'AlreadyExists',
    message: 'already exists in the target and the existing-object policy is fail',
  };
}

async function getLive(
  client: KubeClient,
  planned: PlannedObject,
): Promise<KubeObject | undefined> {
  try {
    return await client.request<KubeObject>({
      method: 'GET',
      path: objectPath(
        planned.type,
        planned.object.metadata.name ?? '',
        planned.object.metadata.namespace,
      ),
    });
  } catch (error) {
    if (error instanceof KubeApiError && error.status === 404) return undefined;
    throw error;
  }
}

function apply(
  client: KubeClient,
  planned: PlannedObject,
  options: { force: boolean; dryRun?: boolean },
): Promise<KubeObject> {
  return client.request<KubeObject>({
    method: 'PATCH',
    path: objectPath(
      planned.type,
      planned.object.metadata.name ?? '',
      planned.object.metadata.namespace,
    ),
    query: {
      fieldManager: FIELD_MANAGER,
      force: options.force ? true : undefined,
      dryRun: options.dryRun ? 'All' : undefined,
    },
    // Server-side apply takes YAML, and JSON is YAML.
    contentType: 'application/apply-patch+yaml',
    body: planned.object,
  });
}

export function outcomeBase(planned: PlannedObject): ObjectOutcome {
  const outcome: ObjectOutcome = {
    group: planned.type.group,
    version: planned.type.version,
    kind: planned.type.kind,
    name: planned.object.metadata.name ?? '',
    outcome: 'failed',
  };
  if (planned.object.metadata.namespace) outcome.namespace = planned.object.metadata.namespace;
  const source = planned.record?.namespace;
  if (source && source !== outcome.namespace) outcome.sourceNamespace = source;
  if (planned.privileged) outcome.privileged = planned.privileged;
  return outcome;
}

export function failure(base: ObjectOutcome, error: unknown): ObjectOutcome {
  if (error instanceof KubeApiError) {
    return { ...base, outcome: 'failed', reason: error.reason, message: error.message };
  }
  if (error instanceof UserError) {
    return { ...base, outcome: 'failed', reason: error.code, message: error.message };
  }
  throw error;
}

/** `apps/v1` for an outcome or plan entry, as kubectl shows it. */
export function apiVersionOfType(type: { group: string; version: string }): string {
  return apiVersionOf(type.group, type.version);
}
