// Set up for component tests: the Testing Library waits for conditions, never for a time.
// A `findBy…`/`waitFor` ends as soon as its condition holds; its bound (just under jest's
// test timeout) only turns a hang into a failure that says what was awaited, so no test
// encodes how fast a machine is.
import { configure } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

configure({ asyncUtilTimeout: 50_000, defaultHidden: true });

/** A user typing and clicking without pauses between keys (no timers to wait for). */
export function newUser() {
  return userEvent.setup({ delay: null });
}
