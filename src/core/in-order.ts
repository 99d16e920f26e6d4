/**
 * Like Promise.all, but every promise settles before anything is reported, and a failure is
 * the first failing one's in the given order: what doing the same work one by one would
 * report, so an error message does not depend on which finished first.
 */
export async function allInOrder<T extends readonly unknown[] | []>(
  promises: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(promises);
  return settled.map((result) => {
    if (result.status === 'rejected') throw result.reason;
    return result.value;
  }) as { -readonly [K in keyof T]: Awaited<T[K]> };
}
