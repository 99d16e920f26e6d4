/**
 * Runs the work for one pull request one at a time, in arrival order, and tells each run
 * whether a newer one has arrived since, so an older result never lands over a newer one.
 * In-process: one app instance per installation is what Probot runs.
 */
export class PullRequestQueue {
  readonly #tails = new Map<string, Promise<void>>();
  readonly #latest = new Map<string, number>();
  #tickets = 0;

  run(key: string, task: (isSuperseded: () => boolean) => Promise<void>): Promise<void> {
    const ticket = ++this.#tickets;
    this.#latest.set(key, ticket);
    const isSuperseded = () => this.#latest.get(key) !== ticket;
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const current = previous.then(() => task(isSuperseded));
    const tail = current.catch(() => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) {
        this.#tails.delete(key);
        this.#latest.delete(key);
      }
    });
    return current;
  }
}
