import { z } from 'zod';
import { MAX_FILES_RESTORE_PATHS, MAX_HYDRATION_REPLICAS } from './limits';
import { namespaceNameProblem, objectReferenceProblem, subdomainProblem } from './names';

// The request bodies of the backend's routes, defined once: the router parses with them and
// the frontend's client checks a body with them before sending it. Messages are predicates
// ("must be…", "is required"); `requestBodyProblem` puts the field's path in front.

const requiredText = z.string({ error: 'is required' }).trim().min(1, { error: 'is required' });

const namespaceName = z
  .string({ error: 'is required' })
  .trim()
  .min(1, { error: 'is required' })
  .refine(name => !namespaceNameProblem(name), {
    error: issue => `"${issue.input}" is ${namespaceNameProblem(String(issue.input))}`,
  });

const flag = z.boolean({ error: 'must be true or false' }).optional();

/** A hydration, and its plan (the same choice, previewed by a server dry run). */
export const hydrationRequestSchema = z.object(
  {
    /** Snapshot id, unique prefix or `latest` (the entity's newest). */
    snapshotId: requiredText,
    /** A hydration target the backend's config names. */
    target: requiredText,
    /** The namespace to fill; one of the target's patterns must match it. */
    namespace: namespaceName,
    /** Also restore Secrets (default: left out); only where the target allows it. */
    includeSecrets: flag,
    /** Replicas of every scaled workload, 0 to MAX_HYDRATION_REPLICAS (default 1). */
    replicas: z
      .custom<number>(
        value =>
          typeof value === 'number' &&
          Number.isInteger(value) &&
          value >= 0 &&
          value <= MAX_HYDRATION_REPLICAS,
        { error: `must be a whole number from 0 to ${MAX_HYDRATION_REPLICAS}` },
      )
      .optional(),
    /**
     * Restore the claims' data: every claim's (true), none (false), or by default those of
     * claims tagged for hydration.
     */
    withData: flag,
  },
  { error: 'must be a JSON object' },
);

export type HydrationRequestBody = z.infer<typeof hydrationRequestSchema>;

/**
 * What of the entity's part of the snapshot to restore. It only narrows: every namespace and
 * object named must be the entity's (the backend answers 400 otherwise).
 */
export const restoreScopeSchema = z.object(
  {
    /** Namespaces to restore; default: the entity's namespaces in the snapshot. */
    namespaces: z.array(namespaceName, { error: 'must be a list of namespace names' }).optional(),
    /** `kind/name` objects to restore; default: everything restorable of the entity. */
    objects: z
      .array(
        z.string({ error: 'must be kind/name' }).refine(text => !objectReferenceProblem(text), {
          error: issue => `"${issue.input}" is ${objectReferenceProblem(String(issue.input))}`,
        }),
        { error: 'must be a list of kind/name references' },
      )
      .optional(),
    includeSecrets: flag,
    /**
     * Objects that exist in the cluster: left as they are (`skip`, the default), or the
     * snapshot's version applied over them (`update`: server-side apply taking the fields
     * over; fields others added since are kept).
     */
    existing: z.enum(['skip', 'update'], { error: 'must be "skip" or "update"' }).optional(),
    /** Fill restored claims with their data from the snapshot (default true). */
    withData: flag,
  },
  { error: 'must be a JSON object' },
);

export type RestoreScope = z.infer<typeof restoreScopeSchema>;

/** What to do where a restored file meets a live one: leave it, replace it, keep both. */
export const EXISTING_FILE_POLICIES = ['skip', 'overwrite', 'rename'] as const;

export type ExistingFilePolicy = (typeof EXISTING_FILE_POLICIES)[number];

const claimName = z
  .string({ error: 'is required' })
  .trim()
  .min(1, { error: 'is required' })
  .refine(name => !subdomainProblem(name), {
    error: issue => `"${issue.input}" is ${subdomainProblem(String(issue.input))}`,
  });

/**
 * A restore of single files: chosen paths of one of the entity's claims, as a snapshot
 * holds them, written into a live claim of the entity in the same namespace.
 */
export const filesRestoreSchema = z.object(
  {
    /** The namespace of the claim whose captured data the paths come from. */
    namespace: namespaceName,
    claim: claimName,
    /** Paths inside the volume (`/conf/app.yaml`); a folder brings what is below it. */
    paths: z
      .array(requiredText, { error: 'must be a list of paths' })
      .min(1, { error: 'must name at least one path' })
      .max(MAX_FILES_RESTORE_PATHS, {
        error: `must name at most ${MAX_FILES_RESTORE_PATHS} paths`,
      }),
    /** The live claim written into (default: the same claim). */
    targetClaim: claimName.optional(),
    /** A live file in the way: left (`skip`, the default), replaced, or kept beside. */
    existing: z
      .enum(EXISTING_FILE_POLICIES, { error: 'must be "skip", "overwrite" or "rename"' })
      .optional(),
  },
  { error: 'must be a JSON object' },
);

export type FilesRestoreScope = z.infer<typeof filesRestoreSchema>;

/**
 * A restore request into production, which an owner of the entity approves: of objects
 * (with their claims' data) narrowed by `scope`, or of single files (`files`); not both.
 */
export const restoreRequestSchema = z
  .object(
    {
      snapshotId: requiredText,
      /** Why, for the approver and the audit log. */
      reason: requiredText,
      scope: restoreScopeSchema.optional(),
      files: filesRestoreSchema.optional(),
    },
    { error: 'must be a JSON object' },
  )
  .refine(body => !(body.scope && body.files), {
    error: 'names a scope and files: a request restores objects or files, not both',
    path: ['files'],
  });

export type RestoreRequestBody = z.infer<typeof restoreRequestSchema>;

const volumePathText = z.string({ error: 'must be given once' });

/** Listing one folder of a volume in a snapshot (default its root). */
export const fileListQuerySchema = z.object({ path: volumePathText.optional() });

/** Searching a volume in a snapshot by name: entries whose name holds `name`. */
export const fileSearchQuerySchema = z.object({
  name: requiredText,
  /** The folder searched below (default the root). */
  path: volumePathText.optional(),
});

/** Downloading a file, or a folder as tar, of a volume in a snapshot. */
export const fileDownloadQuerySchema = z.object({ path: requiredText });

/** An owner's decision on a pending restore request. */
export const restoreDecisionSchema = z.object(
  {
    decision: z.enum(['approve', 'reject'], { error: 'must be "approve" or "reject"' }),
    comment: z.string({ error: 'must be text' }).optional(),
  },
  { error: 'must be a JSON object' },
);

export type RestoreDecisionBody = z.infer<typeof restoreDecisionSchema>;

/** One of the schemas above, for code that takes any of them. */
export type RequestBodySchema<T> = z.ZodType<T>;

/** What is wrong with a body: the field (`scope.namespaces[0]`, '' for the body) and why. */
export interface RequestBodyProblem {
  path: string;
  message: string;
}

/** Every problem of a body under one of the schemas above, for a form to show by field. */
export function requestBodyProblems(
  schema: RequestBodySchema<unknown>,
  body: unknown,
): RequestBodyProblem[] {
  const parsed = schema.safeParse(body);
  return parsed.success ? [] : problemsOf(parsed.error);
}

function problemsOf(error: z.ZodError): RequestBodyProblem[] {
  return error.issues.map(issue => ({
    path: issue.path
      .map((part, index) =>
        typeof part === 'number' ? `[${part}]` : `${index > 0 ? '.' : ''}${String(part)}`,
      )
      .join(''),
    message: issue.message,
  }));
}

/** A parsed body, or why it cannot be: one line naming the first field at fault. */
export type ParsedRequestBody<T> = { value: T; problem?: undefined } | { problem: string };

/** Parses a request body with one of the schemas above. */
export function parseRequestBody<T>(
  schema: RequestBodySchema<T>,
  body: unknown,
): ParsedRequestBody<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return { value: parsed.data };
  const [first] = problemsOf(parsed.error);
  return { problem: `${first.path || 'the request body'} ${first.message}` };
}
