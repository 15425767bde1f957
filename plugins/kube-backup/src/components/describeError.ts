/** What went wrong, said so a person knows what happened and what to do next. */
export interface ErrorDescription {
  title: string;
  /** The backend's own words, when it gave any. */
  detail?: string;
  next: string;
  status?: number;
}

export type ErrorAction =
  | { kind: 'load'; what: string }
  | { kind: 'hydrate'; target: string; namespace: string; entityRef: string; owners: string[] }
  | { kind: 'request-restore'; entityRef: string; owners: string[] }
  | { kind: 'decide'; entityRef: string; owners: string[] }
  | { kind: 'download'; path: string; entityRef: string; owners: string[] };

function statusOf(error: unknown): number | undefined {
  const candidate = error as { statusCode?: unknown; response?: { status?: unknown } };
  if (typeof candidate?.statusCode === 'number') return candidate.statusCode;
  if (typeof candidate?.response?.status === 'number') return candidate.response.status;
  return undefined;
}

function backendMessage(error: unknown): string | undefined {
  const body = (error as { body?: { error?: { message?: unknown } } })?.body;
  const message = body?.error?.message;
  if (typeof message === 'string' && message) return message;
  const own = (error as { message?: unknown })?.message;
  return typeof own === 'string' && own ? own : undefined;
}

function ownersText(owners: string[]): string {
  return owners.length > 0 ? ` (${owners.join(', ')})` : '';
}

export function describeError(error: unknown, action: ErrorAction): ErrorDescription {
  const status = statusOf(error);
  const detail = backendMessage(error);
  if (status === undefined) {
    if (error instanceof TypeError || /fetch|network/i.test(detail ?? '')) {
      return {
        title: 'Could not reach the kube-backup backend',
        detail,
        next: 'Check your connection and try again. If it keeps failing, the kube-backup backend plugin may not be installed or running; tell your platform team.',
      };
    }
    return { title: 'Something went wrong', detail, next: 'Try again.' };
  }
  if (status === 401) {
    return {
      title: 'You are not signed in',
      detail,
      status,
      next: 'Sign in again (reload the page), then retry.',
    };
  }
  if (status === 403) {
    switch (action.kind) {
      case 'hydrate':
        return {
          title: `You are not allowed to hydrate into ${action.target} / ${action.namespace}`,
          detail,
          status,
          next: `Ask an owner of ${action.entityRef}${ownersText(action.owners)} to grant you hydration into this target, or choose another target or a namespace the target allows.`,
        };
      case 'request-restore':
        return {
          title: `You are not allowed to request restores of ${action.entityRef}`,
          detail,
          status,
          next: `Ask an owner of ${action.entityRef}${ownersText(action.owners)} to request it, or to grant you the kube-backup.restore.request permission.`,
        };
      case 'decide':
        // Not an owner, or the owner who asked for it (another owner must approve).
        return {
          title: 'You cannot decide on this restore request',
          detail,
          status,
          next: `Ask another owner of ${action.entityRef}${ownersText(action.owners)} to decide on it.`,
        };
      case 'download':
        return {
          title: `You are not allowed to download ${action.path}`,
          detail,
          status,
          next: `Ask an owner of ${action.entityRef}${ownersText(action.owners)} for the file, or to have the kube-backup.files.read permission granted to you for it.`,
        };
      default:
        return {
          title: `You are not allowed to see ${action.what}`,
          detail,
          status,
          next: 'Ask an owner of the entity or your platform team for the kube-backup.snapshots.read permission.',
        };
    }
  }
  if (status === 404) {
    return {
      title: 'Not found',
      detail,
      status,
      next: 'The entity, snapshot or request may have been removed or renamed. Refresh the page and pick it again.',
    };
  }
  if (status === 409) {
    return {
      title: 'Someone else got there first',
      detail,
      status,
      next: 'This request was already decided. Refresh to see its outcome.',
    };
  }
  if (status === 400) {
    return {
      title: 'The backend did not accept the request',
      detail,
      status,
      next: 'Correct the values named above and try again.',
    };
  }
  if (status === 503) {
    return {
      title: 'The kube-backup backend cannot reach its snapshot repository or cluster',
      detail,
      status,
      next: 'Nothing on this page fixes it: tell your platform team what the message above says, then try again.',
    };
  }
  return {
    title: `The kube-backup backend failed (HTTP ${status})`,
    detail,
    status,
    next: 'Try again in a moment. If it keeps failing, tell your platform team: the backend log has the details.',
  };
}
