// What every card reads and seldom changes, read once per key per short while. The embedded
// database runs on the app's own thread, where one query cost a card about 1.5 ms of CPU (two of
// them were a quarter of a card's CPU, npm run bench). This process's own writes forget the key,
// so it reads what it just wrote; another instance's writes (Postgres) are seen within `ttlMs`.

/** Long enough to spare the queries of a busy minute, short enough that another instance's write is seen in time. */
export const READ_CACHE_MS = 2000;

export class ReadCache<T> {
  private readonly entries = new Map<string, { value: Promise<T>; at: number }>();

  constructor(
    private readonly ttlMs = READ_CACHE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The key's value: the one read less than `ttlMs` ago, else `load`'s (concurrent callers share one read). */
  get(key: string, load: () => Promise<T>): Promise<T> {
    const held = this.entries.get(key);
    if (held && this.now() - held.at < this.ttlMs) return held.value;
    const value = load();
    const entry = { value, at: this.now() };
    this.entries.set(key, entry);
    // A failed read is not kept: the next caller tries again.
    value.catch(() => this.entries.get(key) === entry && this.entries.delete(key));
    return value;
  }

  /** This process changed what the key reads: the next `get` reads it again. */
  forget(key: string): void {
    this.entries.delete(key);
  }
}
