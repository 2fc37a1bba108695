// Returns what a function throws, so a test can inspect the error's class, code and message.

/** Asserts nothing; returns the thrown value of `fn`, and fails if `fn` returns instead. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('thrown: expected the function to throw, but it returned');
}
