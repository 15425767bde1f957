// Set up for component tests, imported by each DOM test.
//
// The Testing Library waits for conditions, never for a time: a `findBy…`/`waitFor` ends as
// soon as its condition holds, and its bound (just under jest's test timeout) only turns a
// hang into a failure that says what was awaited, so no test encodes how fast a machine is.
//
// `*ByRole` queries skip their visibility check (`defaultHidden`): it computes the style of
// every element up the tree, which jsdom does slowly over Material UI's style sheets, and
// was most of the suite's time. The tests look inside the dialog or table they mean, so a
// hidden element elsewhere cannot stand in for the one asserted on; a `queryByRole(…)` that
// must find nothing now also finds nothing hidden.
import { configure } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

configure({ asyncUtilTimeout: 50_000, defaultHidden: true });

/** A user typing and clicking without pauses between keys (no timers to wait for). */
export function newUser() {
  return userEvent.setup({ delay: null });
}
