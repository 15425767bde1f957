/**
 * Jest runs tests in a separate VM realm whose `Symbol` lacks the `Symbol.dispose` that
 * Node 22 adds to the main realm. undici (under @kubernetes/client-node 2.x's fetch) looks
 * up `Symbol.dispose` on disposables Node creates, so in jest every fetch fails with
 * "removeAbortListener is not a function". Importing this module first borrows Node's own
 * symbol for the test realm.
 */
import { addAbortListener } from 'node:events';

const realm = globalThis.Symbol as unknown as { dispose?: symbol };
if (realm.dispose === undefined) {
  const disposable = addAbortListener(new AbortController().signal, () => undefined) as object;
  const [native] = Object.getOwnPropertySymbols(disposable);
  if (native) Object.defineProperty(globalThis.Symbol, 'dispose', { value: native });
}
