/**
 * Waits until `check` holds, for effects the test cluster applies on timers of its own
 * (garbage collection, namespace termination, CRD establishment). The pause only spaces
 * the checks out; what ends the wait is the condition, and jest's per-test bound is the
 * deadline.
 */
export async function eventually(check: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await check())) await new Promise(resolve => setTimeout(resolve, 10));
}
