/**
 * Retries an assertion until it passes or the time is up (no fixed sleeps in tests).
 * Give every assert.ok inside a message: without one, Node re-parses the test's source to
 * build it, which under tsx took seconds per failed attempt and stalled the polling.
 */
export async function waitFor<T>(check: () => T | Promise<T>, { timeout = 5000, interval = 20 } = {}): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
  }
}
