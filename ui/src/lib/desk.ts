// The front desk's small rules that more than one feature uses (the idle lock, wall-clock times,
// type-ahead), kept out of the components so they can be tested on their own. A rule only one
// feature uses lives in that feature's folder.

/** Whether an unlocked session has been idle long enough to lock. */
export function shouldLock(now: number, lastActivity: number, minutes: number, locked: boolean): boolean {
  return !locked && now - lastActivity >= minutes * 60_000;
}

/** "2026-11-23T09:30:00" → "09:30". */
export const clock = (local: string) => local.slice(11, 16);

/**
 * Wraps an async search so only the answer to the latest call is kept: type-ahead fires a call per
 * key, and a slow early answer must not replace a fresh one.
 */
export function latestOnly<A extends unknown[], T>(search: (...args: A) => Promise<T>) {
  let latest = 0;
  return async (...args: A): Promise<T | undefined> => {
    const mine = ++latest;
    const result = await search(...args);
    return mine === latest ? result : undefined;
  };
}
