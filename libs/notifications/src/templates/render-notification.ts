import { NotificationsException } from '../notifications.exception';
import { singleLine } from './format';
import { renderLayout } from './layout';
import { composeMessage } from './messages';
import { NotificationModel, RenderedNotification } from './notification-model';
import { NOTIFICATION_TYPES, NotificationType } from './notification-type';

const REQUIRED_TEXT = ['recipientName', 'pcnName', 'pcnCode', 'agreementTitle', 'agreementReference', 'stepLabel'] as const;

/** Emails that ask the recipient to act: they must say what is waiting. */
const TASK_TYPES: readonly NotificationType[] = [NotificationType.SignatureRequested, NotificationType.IgReviewRequested, NotificationType.Reminder, NotificationType.DelegatedToYou];

const nonEmpty = (value: unknown) => typeof value === 'string' && value.trim() !== '';

function isInstant(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value));
}

/** A wrong model is a bug in the caller: say which field, and never send half a message. */
function check(type: string, model: NotificationModel): void {
  const problems: string[] = [];
  if (!NOTIFICATION_TYPES.includes(type as NotificationType)) problems.push(`type ${JSON.stringify(type)} is not a notification type`);
  for (const key of REQUIRED_TEXT) {
    if (typeof model[key] !== 'string' || model[key].trim() === '') problems.push(`${key} is empty`);
  }
  if (!Number.isInteger(model.revisionNumber) || model.revisionNumber < 1) problems.push('revisionNumber must be a whole number from 1');
  if (!Number.isInteger(model.stepNumber) || model.stepNumber < 1) problems.push('stepNumber must be a whole number from 1');
  if (TASK_TYPES.includes(type as NotificationType) && !(model.tasks?.length)) problems.push('tasks is empty');
  for (const [i, task] of (model.tasks ?? []).entries()) {
    if (!nonEmpty(task.document) || !nonEmpty(task.capacity) || task.organisations.length === 0 || !task.organisations.every(nonEmpty)) {
      problems.push(`tasks[${i}] needs a document, a capacity and at least one organisation`);
    }
  }
  let url: URL | null = null;
  try {
    url = new URL(model.reviewUrl);
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) problems.push('reviewUrl must be an absolute http(s) URL');
  if (model.dueAt !== null && (typeof model.dueAt !== 'string' || !isInstant(model.dueAt))) problems.push('dueAt must be an ISO 8601 date-time or null');
  if (model.executedAt != null && !isInstant(model.executedAt)) problems.push('executedAt must be an ISO 8601 date-time');
  if (problems.length > 0) throw NotificationsException.invalidMessage(`Cannot render ${type} email: ${problems.join('; ')}.`);
}

/**
 * Renders one workflow email. Pure: the same type and model always give the same subject,
 * text and HTML, and every value from the model is escaped in the HTML.
 */
export function renderNotification(type: NotificationType, model: NotificationModel): RenderedNotification {
  check(type, model);
  const content = composeMessage(type, model);
  return renderLayout(model, { ...content, subject: singleLine(content.subject) });
}
