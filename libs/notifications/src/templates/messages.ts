import { formatLondonDate, formatLondonDeadline, shortHash } from './format';
import { MessageContent } from './layout';
import { NotificationModel } from './notification-model';
import { NotificationType } from './notification-type';

function agreement(m: NotificationModel): string {
  return `${m.agreementTitle} (${m.agreementReference}), revision ${m.revisionNumber}`;
}

function step(m: NotificationModel): string {
  return `step ${m.stepNumber}: ${m.stepLabel}`;
}

function deadline(m: NotificationModel, verb: string): string {
  return m.dueAt ? `Please ${verb} by ${formatLondonDeadline(m.dueAt)}.` : `No deadline has been set for this step. Please ${verb} as soon as you can.`;
}

function checkFingerprint(m: NotificationModel, verb: string): string {
  return `Before you ${verb}, check that the fingerprint on the document starts with ${shortHash(m.revisionHash)}.`;
}

function senderQuote(m: NotificationModel): MessageContent['quotes'] {
  return m.senderMessage?.trim() ? [{ label: `Message from ${m.pcnName}`, text: m.senderMessage.trim() }] : [];
}

type Composer = (m: NotificationModel) => MessageContent;

const COMPOSERS: Record<NotificationType, Composer> = {
  [NotificationType.SignatureRequested]: (m) => ({
    subject: `Please sign: ${m.agreementTitle} (${m.agreementReference})`,
    heading: 'Please sign the network agreement',
    paragraphs: [
      `${m.pcnName} has asked you to sign ${agreement(m)}.`,
      `This is ${step(m)}.`,
      deadline(m, 'sign'),
      'Read the agreement in full.',
      checkFingerprint(m, 'sign'),
    ],
    quotes: senderQuote(m),
    action: 'Review and sign',
  }),

  [NotificationType.IgReviewRequested]: (m) => ({
    subject: `Information governance review needed: ${m.agreementTitle} (${m.agreementReference})`,
    heading: 'Please review the information governance terms',
    paragraphs: [
      `${m.pcnName} has asked you to review the information governance terms of ${agreement(m)}.`,
      `This is ${step(m)}. Check the data-sharing terms, then approve them or send them back with your comments.`,
      deadline(m, 'finish your review'),
      checkFingerprint(m, 'approve'),
    ],
    quotes: senderQuote(m),
    action: 'Start the review',
  }),

  [NotificationType.Reminder]: (m) => ({
    subject: `Reminder: ${m.agreementTitle} (${m.agreementReference}) is waiting for you`,
    heading: m.reminderNumber && m.reminderNumber > 1 ? `Reminder ${m.reminderNumber}: action needed` : 'Reminder: action needed',
    paragraphs: [
      `${m.pcnName} is still waiting for you to complete ${step(m)}.`,
      `This is for ${agreement(m)}.`,
      m.dueAt
        ? `The deadline is ${formatLondonDeadline(m.dueAt)}.`
        : 'No deadline has been set for this step, but the agreement cannot go ahead until you act.',
      checkFingerprint(m, 'act'),
    ],
    quotes: senderQuote(m),
    action: 'Review now',
  }),

  [NotificationType.RoundDeclined]: (m) => ({
    subject: `Declined: ${m.agreementTitle} (${m.agreementReference})`,
    heading: 'The agreement was declined',
    paragraphs: [
      `${m.declinedBy?.trim() || 'A signer'} declined to sign ${agreement(m)}.`,
      `This was at ${step(m)}.`,
      'Signing has stopped for this revision. You do not need to do anything now.',
      `${m.pcnName} will look at the reason and may send a new revision for you to review.`,
    ],
    quotes: [{ label: 'Reason given', text: m.declineReason?.trim() || 'No reason was given.' }, ...senderQuote(m)],
    action: 'View the agreement',
  }),

  [NotificationType.RoundWithdrawn]: (m) => ({
    subject: `Withdrawn: ${m.agreementTitle} (${m.agreementReference})`,
    heading: 'The agreement was withdrawn from signing',
    paragraphs: [
      `${m.pcnName} has withdrawn ${agreement(m)} from signing. It was at ${step(m)}.`,
      'You do not need to do anything now. If there is a new revision to sign, you will get another email.',
    ],
    quotes: senderQuote(m),
    action: 'View the agreement',
  }),

  [NotificationType.AgreementExecuted]: (m) => ({
    subject: `Signed by everyone: ${m.agreementTitle} (${m.agreementReference})`,
    heading: 'The agreement has been signed by everyone',
    paragraphs: [
      `Everyone has now signed ${agreement(m)}.`,
      ...(m.executedAt ? [`The last signature was added on ${formatLondonDate(m.executedAt)}.`] : []),
      `The last step was ${step(m)}.`,
      'You can download the signed copy from the agreement page. Keep it with your practice records.',
    ],
    quotes: senderQuote(m),
    action: 'Download the signed agreement',
  }),

  [NotificationType.RoundExpired]: (m) => ({
    subject: `Deadline passed: ${m.agreementTitle} (${m.agreementReference})`,
    heading: 'The deadline has passed',
    paragraphs: [
      m.dueAt
        ? `The deadline for ${step(m)} was ${formatLondonDeadline(m.dueAt)}. It passed before everyone had responded.`
        : `The time allowed for ${step(m)} has ended before everyone had responded.`,
      `Signing has closed for ${agreement(m)}.`,
      `${m.pcnName} will decide what happens next. You do not need to do anything now.`,
    ],
    quotes: senderQuote(m),
    action: 'View the agreement',
  }),

  [NotificationType.DelegatedToYou]: (m) => ({
    subject: `You have been asked to act on: ${m.agreementTitle} (${m.agreementReference})`,
    heading: 'You have been asked to act for a colleague',
    paragraphs: [
      `${m.delegatedBy?.trim() || 'A colleague'} has asked you to act for them on ${agreement(m)} for ${m.pcnName}.`,
      `This is ${step(m)}.`,
      deadline(m, 'act'),
      checkFingerprint(m, 'act'),
    ],
    quotes: senderQuote(m),
    action: 'Review and act',
  }),
};

export function composeMessage(type: NotificationType, model: NotificationModel): MessageContent {
  return COMPOSERS[type](model);
}
