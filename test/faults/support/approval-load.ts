import type { FaultSigner } from './fault-pcns';
import { HttpAttempt, httpCall } from './http-client';

export interface ApprovalTask {
  requestId: string;
  boundHash: string;
  agreementId: string;
  signer: FaultSigner;
}

/** HTTP answers a client is told to try again later (503 during an outage, 429 when throttled). */
const RETRY_LATER = new Set([503, 429]);

/**
 * Approvals as clients send them during the drills: each one is retried after a connection
 * failure or a 503 until it gets a definite answer, and every attempt is kept so a drill can
 * judge what was answered, when, and how.
 */
export class ApprovalLoad {
  readonly attempts: (HttpAttempt & { requestId: string })[] = [];
  /** Request id → the 2xx answer that recorded it. */
  readonly approved = new Map<string, HttpAttempt>();
  /** Definite answers other than 2xx (a 409, a 500 …): each is a finding. */
  readonly refused: (HttpAttempt & { requestId: string })[] = [];
  /** Tasks still without a definite answer when their time ran out. */
  readonly unanswered: ApprovalTask[] = [];
  /** Requests sent and not yet answered, by when each was sent. */
  private readonly pending = new Set<{ sentAt: number }>();

  constructor(
    private readonly port: number,
    private readonly giveUpAfterMs = 120_000,
  ) {}

  async approve(task: ApprovalTask): Promise<void> {
    const started = Date.now();
    const body = { typedName: task.signer.fullName, capacity: 'SOLE_TRADER', confirmAuthority: true, hash: task.boundHash };
    for (;;) {
      const mark = { sentAt: Date.now() };
      this.pending.add(mark);
      let answer: Awaited<ReturnType<typeof httpCall>>;
      try {
        answer = await httpCall(this.port, 'POST', `/api/v1/requests/${task.requestId}/approve`, { bearer: task.signer.user.bearer, body });
      } finally {
        this.pending.delete(mark);
      }
      const attempt = { ...answer, requestId: task.requestId };
      this.attempts.push(attempt);
      if (attempt.status !== null && attempt.status >= 200 && attempt.status < 300) {
        this.approved.set(task.requestId, attempt);
        return;
      }
      if (attempt.status !== null && !RETRY_LATER.has(attempt.status)) {
        this.refused.push(attempt);
        return;
      }
      if (Date.now() - started > this.giveUpAfterMs) {
        this.unanswered.push(task);
        return;
      }
      // Retry-After says 30 s; a drill cannot wait that long, and the outages are short.
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Sends `tasks` with `concurrency` clients, each pausing `gapMs` between its approvals to spread them over time. */
  async run(tasks: ApprovalTask[], concurrency: number, gapMs = 0): Promise<void> {
    let next = 0;
    const client = async () => {
      while (next < tasks.length) {
        const task = tasks[next++];
        await this.approve(task);
        if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, client));
  }

  /** How many requests sent at least `ms` ago are still waiting for their answer now. */
  waitingLongerThan(ms: number): number {
    const now = Date.now();
    return [...this.pending].filter((p) => now - p.sentAt >= ms).length;
  }

  /** Attempts sent before `at` and answered (or failed) after it: the requests in flight at that moment. */
  inFlightAt(at: number, sentAtLeastMsBefore = 0): (HttpAttempt & { requestId: string })[] {
    return this.attempts.filter((a) => a.sentAt <= at - sentAtLeastMsBefore && a.endedAt >= at);
  }
}
