import type { FaultPcn } from './fault-pcns';
import type { ApprovalTask } from './approval-load';
import type { DrillRound } from './invariants';
import { httpCall } from './http-client';

export interface SubmitOptions {
  dueInMs?: number;
  firstReminderAfterDays?: number;
  reminderEveryDays?: number;
  maxReminders?: number;
}

/**
 * Sends each PCN's draft for signature through the HTTP API, as its clinical director
 * would (no countersignature: one step of parallel signatures), `concurrency` at a time.
 */
export async function submitRounds(port: number, pcns: FaultPcn[], options: SubmitOptions = {}, concurrency = 4): Promise<{ rounds: DrillRound[]; tasks: Map<string, ApprovalTask[]> }> {
  const rounds: DrillRound[] = [];
  const tasks = new Map<string, ApprovalTask[]>();
  let next = 0;
  const client = async () => {
    while (next < pcns.length) {
      const pcn = pcns[next++];
      const res = await httpCall(port, 'POST', `/api/v1/agreements/${pcn.agreementId}/submit`, {
        bearer: pcn.clinicalDirector.bearer,
        body: {
          revisionNumber: 1,
          clinicalDirectorCountersigns: false,
          dueAt: new Date(Date.now() + (options.dueInMs ?? 3 * 3_600_000)).toISOString(),
          maxReminders: options.maxReminders ?? 0,
          ...(options.firstReminderAfterDays ? { firstReminderAfterDays: options.firstReminderAfterDays } : {}),
          ...(options.reminderEveryDays ? { reminderEveryDays: options.reminderEveryDays } : {}),
        },
      });
      if (res.status !== 201) throw new Error(`submit ${pcn.agreementId}: ${res.status ?? res.error} ${JSON.stringify(res.body)}`);
      const body = res.body as { round: { id: string }; requests: { id: string; personId: string; boundHash: string }[] };
      rounds.push({ agreementId: pcn.agreementId, roundId: body.round.id, signers: pcn.signers.map((s) => ({ email: s.email, personId: s.personId })) });
      tasks.set(
        pcn.agreementId,
        body.requests.map((r) => ({ requestId: r.id, boundHash: r.boundHash, agreementId: pcn.agreementId, signer: pcn.signers.find((s) => s.personId === r.personId)! })),
      );
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return { rounds, tasks };
}
