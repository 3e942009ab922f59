// A time limit on work that cannot be cancelled (the Chroma client takes no abort signal): the
// caller stops waiting and moves on; the work itself may still finish in the background.

export class DeadlineExceeded extends Error {
  override name = "DeadlineExceeded";
}

export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
