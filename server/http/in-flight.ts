// The signed requests still being answered. A customer who closes the Messenger hangs up on a card
// whose work goes on (the decision, its metrics events, a hand-over); a shutdown waits for that
// work before it closes the database, so what the card did is stored instead of lost with the
// process (the server's close waits only for connections, and a hung-up one is already closed).
export class InFlight {
  private readonly running = new Set<Promise<unknown>>();

  /** Runs `work`, counted until it settles. */
  track<T>(work: () => Promise<T> | T): Promise<T> {
    const running = Promise.resolve().then(work);
    this.running.add(running);
    const forget = () => void this.running.delete(running);
    running.then(forget, forget);
    return running;
  }

  /** Resolves once every request counted has settled, those begun meanwhile included. */
  async settled(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }
}
