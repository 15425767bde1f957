import type { TestBackend } from './backend';

const FINAL = new Set(['succeeded', 'failed', 'nothing-restored', 'rejected']);

/**
 * Reads a hydration or restore request (`/hydrations/:id`, `/restore-requests/:id`) until it
 * has finished, and returns it as it ended. It waits on the job's own status, never on time.
 */
export async function waitForFinish<T extends { status: string }>(
  backend: TestBackend,
  path: string,
  user?: string,
): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { body } = await backend.call<T>(path, { user });
    if (FINAL.has(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`${path} still ${body.status} after 60 s`);
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}
