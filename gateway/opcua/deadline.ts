/**
 * Settles like `work`, or rejects with "<what> took longer than <ms> ms" if that comes first.
 * `work` itself is not cancelled: whoever owns it must clean up after a timeout.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
