import { NotificationType } from '@pcn/notifications';
import { job, JobName } from '../queue/queue.contract';
import { ApprovalRoundEntity } from './approval-round.entity';
import { RequestKind, SignatureRequestEntity } from './signature-request.entity';

/** One digest email per (round, person, step) for the step just opened, however many requests the person has in it. */
export function requestEmails(round: ApprovalRoundEntity, requests: SignatureRequestEntity[]) {
  const byPersonStep = new Map<string, SignatureRequestEntity>();
  for (const r of requests) if (!byPersonStep.has(`${r.personId}|${r.step}`)) byPersonStep.set(`${r.personId}|${r.step}`, r);
  return [...byPersonStep.values()].map((r) =>
    job(JobName.SendEmail, { kind: r.kind === RequestKind.IgApproval ? NotificationType.IgReviewRequested : NotificationType.SignatureRequested, roundId: round.id, personId: r.personId, step: r.step }),
  );
}

/**
 * One reminder email per person waiting in the current step (the email lists all of their
 * requests of the step), carrying the reminder's number.
 */
export function reminderEmails(round: ApprovalRoundEntity, pending: SignatureRequestEntity[], reminderNumber?: number) {
  const byPerson = new Map<string, SignatureRequestEntity[]>();
  for (const r of pending) byPerson.set(r.personId, [...(byPerson.get(r.personId) ?? []), r]);
  return [...byPerson.entries()].map(([personId, requests]) =>
    job(JobName.SendEmail, { kind: NotificationType.Reminder, roundId: round.id, personId, step: round.currentStep, reminderNumber: reminderNumber ?? Math.max(...requests.map((r) => r.remindersSent)) + 1 }),
  );
}
