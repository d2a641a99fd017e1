import { AgreementStatus } from '@pcn/agreements';
import { RequestStatus, RoundStatus } from '@pcn/workflow';

/** The agreement's status in words, with the tag colour the pages show it in. */
export const AGREEMENT_STATUS_WORDS: Readonly<Record<AgreementStatus, { text: string; classes: string }>> = Object.freeze({
  [AgreementStatus.Draft]: { text: 'Draft', classes: 'nhsuk-tag--grey' },
  [AgreementStatus.InIgReview]: { text: 'In information governance review', classes: 'nhsuk-tag--blue' },
  [AgreementStatus.AwaitingSignatures]: { text: 'Waiting for signatures', classes: 'nhsuk-tag--yellow' },
  [AgreementStatus.Executed]: { text: 'Signed by everyone', classes: 'nhsuk-tag--green' },
  [AgreementStatus.Expired]: { text: 'Expired', classes: 'nhsuk-tag--orange' },
  [AgreementStatus.Superseded]: { text: 'Replaced by a variation', classes: 'nhsuk-tag--grey' },
  [AgreementStatus.Terminated]: { text: 'Terminated', classes: 'nhsuk-tag--red' },
});

export function agreementStatusTag(status: AgreementStatus | string): { text: string; classes: string } {
  return AGREEMENT_STATUS_WORDS[status as AgreementStatus] ?? { text: 'Unknown', classes: 'nhsuk-tag--grey' };
}

export const ROUND_STATUS_TAG_CLASSES: Readonly<Record<RoundStatus, string>> = Object.freeze({
  [RoundStatus.Active]: 'nhsuk-tag--blue',
  [RoundStatus.Completed]: 'nhsuk-tag--green',
  [RoundStatus.Declined]: 'nhsuk-tag--red',
  [RoundStatus.Withdrawn]: 'nhsuk-tag--grey',
  [RoundStatus.Expired]: 'nhsuk-tag--orange',
  [RoundStatus.Restarted]: 'nhsuk-tag--grey',
});

/**
 * One signer's progress in words: "Sent" once their step has started, "Viewed" once they
 * opened their review page, then what they did. Later steps wait: "Not started yet".
 */
export function signerStatusTag(signer: { status: RequestStatus; viewedAt: Date | null; statusLabel: string }, step: number, round: { currentStep: number; status: RoundStatus }): { text: string; classes: string } {
  switch (signer.status) {
    case RequestStatus.Approved:
      return { text: 'Approved', classes: 'nhsuk-tag--green' };
    case RequestStatus.Declined:
      return { text: 'Declined', classes: 'nhsuk-tag--red' };
    case RequestStatus.Delegated:
      return { text: 'Delegated', classes: 'nhsuk-tag--purple' };
    case RequestStatus.NotNeeded:
      return { text: 'Not needed', classes: 'nhsuk-tag--grey' };
    case RequestStatus.Void:
      return { text: 'Cancelled', classes: 'nhsuk-tag--grey' };
    case RequestStatus.Pending:
      if (step > round.currentStep) return { text: 'Not started yet', classes: 'nhsuk-tag--white' };
      return signer.viewedAt ? { text: 'Viewed', classes: 'nhsuk-tag--yellow' } : { text: 'Sent', classes: 'nhsuk-tag--blue' };
    default:
      return { text: signer.statusLabel, classes: 'nhsuk-tag--grey' };
  }
}

/** "Yarm Medical Practice (A81001)". */
export function organisationWithCode(name: string, odsCode: string | null | undefined): string {
  return odsCode ? `${name} (${odsCode})` : name;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID.test(value);

export interface DateFields {
  day?: string;
  month?: string;
  year?: string;
}

/** The offset of UK time from UTC (minutes) at an instant. */
function londonOffsetMinutes(at: Date): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return Math.round((asUtc - at.getTime()) / 60_000);
}

/** 5pm UK time on a calendar day: when a due date given as a day falls. */
export function endOfWorkingDayInLondon(year: number, month: number, day: number): Date {
  const guess = new Date(Date.UTC(year, month - 1, day, 17, 0));
  return new Date(guess.getTime() - londonOffsetMinutes(guess) * 60_000);
}

/** Day/month/year of an instant in UK time, as the date input shows it. */
export function dateFieldsOf(at: Date): DateFields {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: 'numeric', day: 'numeric' }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { day: get('day'), month: get('month'), year: get('year') };
}

/**
 * Reads an NHS date input (day, month, year) as a due date: 5pm UK time on that day, which
 * must be in the future. Returns the date or the message to show, GOV.UK/NHS style.
 */
export function parseDueDate(fields: unknown, what = 'due date', now = new Date()): { date: Date } | { error: string } {
  const f = (fields && typeof fields === 'object' ? fields : {}) as DateFields;
  const raw = { day: String(f.day ?? '').trim(), month: String(f.month ?? '').trim(), year: String(f.year ?? '').trim() };
  if (!raw.day && !raw.month && !raw.year) return { error: `Enter the ${what}` };
  const missing = (['day', 'month', 'year'] as const).filter((k) => !raw[k]);
  if (missing.length) return { error: `The ${what} must include a ${missing.join(' and a ')}` };
  if (![raw.day, raw.month, raw.year].every((v) => /^\d+$/.test(v))) return { error: `The ${what} must be a real date, for example 18 12 2026` };
  const [day, month, year] = [Number(raw.day), Number(raw.month), Number(raw.year)];
  const check = new Date(Date.UTC(year, month - 1, day));
  if (raw.year.length !== 4 || month < 1 || month > 12 || check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) {
    return { error: `The ${what} must be a real date, for example 18 12 2026` };
  }
  const date = endOfWorkingDayInLondon(year, month, day);
  if (date.getTime() <= now.getTime()) return { error: `The ${what} must be in the future` };
  return { date };
}

/** A whole number in a range from a form field; the message to show otherwise. */
export function parseWholeNumber(value: unknown, label: string, min: number, max: number): { value: number } | { error: string } {
  const text = String(value ?? '').trim();
  if (!text) return { error: `Enter ${label}` };
  if (!/^\d+$/.test(text)) return { error: `${label[0].toUpperCase()}${label.slice(1)} must be a whole number` };
  const n = Number(text);
  if (n < min || n > max) return { error: `${label[0].toUpperCase()}${label.slice(1)} must be between ${min} and ${max}` };
  return { value: n };
}
