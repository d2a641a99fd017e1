/**
 * Group commit for small writes that many concurrent callers make one at a time (an email
 * recorded as sent, a job's outbox row marked done). Each caller awaits its own item; the
 * items that arrive while one write is in flight go together in the next one. Nothing waits
 * on a timer: with one caller every item is written at once, and under load a write carries
 * everything that queued behind the previous one (at most `maxBatch`).
 *
 * Why: each of these writes is a transaction or statement of its own, and the national drill
 * sends 60,000 emails. Grouped, an email makes about 5 round trips instead of 9 and the drill
 * commits 33,000 fewer transactions (docs/benchmarks.md, "Midday, 2026-12-02"); the CPU
 * this saved was too small to measure on this machine.
 *
 * A batch that fails is retried one item at a time, so one bad item fails only its own
 * caller, and a transient error (a dropped connection) reaches every caller as their own
 * rejection. `write` must therefore be all-or-nothing (one transaction) and safe to run again
 * for items whose batch rolled back.
 */
export class GroupCommit<T> {
  private queue: { item: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private writing = false;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly maxBatch = 100,
  ) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new Error('maxBatch must be a positive integer');
  }

  /** Resolves once `item` is written (with whatever else was waiting), rejects if it could not be. */
  submit(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  /** Items waiting for the next write (for tests and diagnostics). */
  get waiting(): number {
    return this.queue.length;
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          await this.write(batch.map((entry) => entry.item));
          batch.forEach((entry) => entry.resolve());
        } catch (error) {
          if (batch.length === 1) {
            batch[0].reject(error);
            continue;
          }
          // One at a time, so each caller gets its own outcome.
          for (const entry of batch) {
            await this.write([entry.item]).then(entry.resolve, entry.reject);
          }
        }
      }
    } finally {
      this.writing = false;
    }
  }
}
