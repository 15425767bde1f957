/** A Kubernetes `Status` failure, with the fields a caller decides on. */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

interface StatusBody {
  kind?: string;
  message?: string;
  reason?: string;
}

export function kubeApiErrorFrom(status: number, body: string, retryAfter?: string): KubeApiError {
  let parsed: StatusBody | undefined;
  try {
    parsed = JSON.parse(body) as StatusBody;
  } catch {
    parsed = undefined;
  }
  const message =
    parsed?.kind === 'Status' && parsed.message
      ? parsed.message
      : `the server answered ${status}${body ? `: ${body.slice(0, 200).trim()}` : ''}`;
  const retry = retryAfter !== undefined ? Number(retryAfter) : undefined;
  return new KubeApiError(
    status,
    parsed?.reason ?? `Status${status}`,
    message,
    Number.isFinite(retry) ? retry : undefined,
  );
}
