/** Polling, for the few things the operating system does not announce (a pid's exit). */

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** true once `done()` holds, false when `timeoutMs` passed first */
export async function waitUntil(done: () => boolean, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (done()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}
