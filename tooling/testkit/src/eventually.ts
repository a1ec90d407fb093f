/** Polls until `check` stops throwing (an assertion) and does not return false; fails with the last error. */
export async function eventually(check: () => unknown, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let lastError: unknown = new Error("the check never ran");
  while (Date.now() < until) {
    try {
      const outcome = await check();
      if (outcome !== false) return;
      lastError = new Error("the check returned false");
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw lastError;
}
