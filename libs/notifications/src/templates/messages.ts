import { formatLondonDate, formatLondonDeadline } from './format';
import { Block, MessageContent } from './layout';
import { NotificationModel } from './notification-model';
import { NotificationType } from './notification-type';

function agreement(m: NotificationModel): string {
  return `revision ${m.revisionNumber} of ${m.agreementTitle} (${m.agreementReference})`;
}

function step(m: NotificationModel): string {
  return `step ${m.stepNumber}: ${m.stepLabel}`;
}

/** Subjects name the agreement, the PCN and the step, so no two emails of a round read alike. */
function subject(prefix: string, m: NotificationModel, withStep = true): string {
  return `${prefix}: ${m.agreementTitle} (${m.agreementReference}) – ${m.pcnName}${withStep ? `, ${step(m)}` : ''}`;
}

function deadline(m: NotificationModel, verb: string): string {
  return m.dueAt ? `Please ${verb} by ${formatLondonDeadline(m.dueAt)}.` : `No deadline has been set for this step. Please ${verb} as soon as you can.`;
}

/** What waits for the recipient, one bullet per document and capacity, each organisation by name. */
function tasks(m: NotificationModel): Block[] {
  const list = (m.tasks ?? []).map((t) =>
    t.organisations.length === 1
      ? { text: `${t.document}, for ${t.organisations[0]} as ${t.capacity}` }
      : { text: `${t.document}, for ${t.organisations.length} organisations as ${t.capacity}:`, items: t.organisations },
  );
  return list.length > 0 ? [{ list }] : [];
}

function senderQuote(m: NotificationModel): MessageContent['quotes'] {
  return m.senderMessage?.trim() ? [{ label: `Message from ${m.pcnName}`, text: m.senderMessage.trim() }] : [];
}

const READ_IN_FULL = 'The review page shows exactly what you are approving. Read each document in full before you act.';

type Composer = (m: NotificationModel) => MessageContent;

const COMPOSERS: Record<NotificationType, Composer> = {
  [NotificationType.SignatureRequested]: (m) => ({
    subject: subject('Please sign', m),
    heading: m.stepLabel === 'Clinical director countersignature' ? 'Please countersign the network agreement' : 'Please sign',
    paragraphs: [`${m.pcnName} has asked you to sign ${agreement(m)}. This is ${step(m)}.`, 'What is waiting for you:', ...tasks(m), deadline(m, 'sign'), READ_IN_FULL],
    quotes: senderQuote(m),
    action: 'Review and sign',
  }),

  [NotificationType.IgReviewRequested]: (m) => ({
    subject: subject('Information governance review needed', m),
    heading: 'Please review the information governance terms',
    paragraphs: [
      `${m.pcnName} has asked you to review the data-sharing terms of ${agreement(m)}. This is ${step(m)}.`,
      'What is waiting for you:',
      ...tasks(m),
      'Check the data-sharing terms, then approve them or send them back with your comments.',
      deadline(m, 'finish your review'),
      READ_IN_FULL,
    ],
    quotes: senderQuote(m),
    action: 'Start the review',
  }),

  [NotificationType.Reminder]: (m) => ({
    subject: subject(m.reminderNumber && m.reminderNumber > 1 ? `Reminder ${m.reminderNumber}` : 'Reminder', m),
    heading: m.reminderNumber && m.reminderNumber > 1 ? `Reminder ${m.reminderNumber}: action needed` : 'Reminder: action needed',
    paragraphs: [
      `${m.pcnName} is still waiting for you to complete ${step(m)} of ${agreement(m)}.`,
      'Still waiting for you:',
      ...tasks(m),
      m.dueAt
        ? `The deadline is ${formatLondonDeadline(m.dueAt)}.`
        : 'No deadline has been set for this step, but the agreement cannot go ahead until you act.',
    ],
    quotes: senderQuote(m),
    action: 'Review now',
  }),

  [NotificationType.RoundDeclined]: (m) => ({
    subject: subject('Declined', m),
    heading: 'Signing stopped: a party declined',
    paragraphs: [
      `${m.declinedBy?.trim() || 'A signer'} declined ${m.declinedPart?.trim() || 'their part'} of ${agreement(m)}.`,
      `This was at ${step(m)}.`,
      'Signing has stopped for this revision. You do not need to do anything now.',
      `${m.pcnName} will look at the reason and may send a new revision for you to review.`,
    ],
    quotes: [{ label: 'Reason given', text: m.declineReason?.trim() || 'No reason was given.' }, ...senderQuote(m)],
    action: 'View details',
  }),

  [NotificationType.RoundStopped]: (m) => ({
    subject: subject('Signing stopped', m, false),
    heading: 'Signing of this revision has stopped',
    paragraphs: [
      `Signing of ${agreement(m)} has stopped. It was at ${step(m)}.`,
      'You do not need to do anything now.',
      `${m.pcnName} may send a new revision. If it does, you will get another email.`,
    ],
    quotes: [],
    action: 'View details',
  }),

  [NotificationType.RoundWithdrawn]: (m) => ({
    subject: subject('Withdrawn', m, false),
    heading: 'The agreement was withdrawn from signing',
    paragraphs: [
      `${m.pcnName} has withdrawn ${agreement(m)} from signing. It was at ${step(m)}.`,
      'You do not need to do anything now. If there is a new revision to sign, you will get another email.',
    ],
    quotes: senderQuote(m),
    action: 'View details',
  }),

  [NotificationType.AgreementExecuted]: (m) => ({
    subject: subject('Signed by everyone', m, false),
    heading: 'The agreement has been signed by everyone',
    paragraphs: [
      `Everyone has now signed ${agreement(m)}.`,
      ...(m.executedAt ? [`The last signature was added on ${formatLondonDate(m.executedAt)}.`] : []),
      'You can download the signed copy from the agreement page. Keep it with your practice records.',
    ],
    quotes: senderQuote(m),
    action: 'Download the signed agreement',
  }),

  [NotificationType.RoundExpired]: (m) => ({
    subject: subject('Deadline passed', m),
    heading: 'The deadline has passed',
    paragraphs: [
      m.dueAt
        ? `The deadline for ${step(m)} was ${formatLondonDeadline(m.dueAt)}. It passed before everyone had responded.`
        : `The time allowed for ${step(m)} has ended before everyone had responded.`,
      `Signing has closed for ${agreement(m)}.`,
      `${m.pcnName} will decide what happens next. You do not need to do anything now.`,
    ],
    quotes: senderQuote(m),
    action: 'View details',
  }),

  [NotificationType.DelegatedToYou]: (m) => ({
    subject: subject('You have been asked to act on', m),
    heading: 'You have been asked to act for a colleague',
    paragraphs: [
      `${m.delegatedBy?.trim() || 'A colleague'} has asked you to act for them on ${agreement(m)} for ${m.pcnName}. This is ${step(m)}.`,
      'What is waiting for you:',
      ...tasks(m),
      deadline(m, 'act'),
      READ_IN_FULL,
    ],
    quotes: senderQuote(m),
    action: 'Review and act',
  }),

  [NotificationType.AgreementTerminated]: (m) => ({
    subject: subject('Terminated', m, false),
    heading: 'The network agreement has been terminated',
    paragraphs: [
      `The clinical director of ${m.pcnName} has terminated ${agreement(m)}. Your organisation is a party to it or to one of its annexes.`,
      'The reason is recorded on the agreement page and in its audit trail. Keep your signed copy with your practice records.',
      `If you did not expect this, contact ${m.pcnName}.`,
    ],
    quotes: m.terminationReason?.trim() ? [{ label: 'Reason for termination', text: m.terminationReason.trim() }] : [],
    action: 'View details',
  }),
};

export function composeMessage(type: NotificationType, model: NotificationModel): MessageContent {
  return COMPOSERS[type](model);
}
