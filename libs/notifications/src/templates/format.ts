const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]);
}

const LONDON = 'Europe/London';
const dateFormat = new Intl.DateTimeFormat('en-GB', { timeZone: LONDON, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const timeFormat = new Intl.DateTimeFormat('en-GB', { timeZone: LONDON, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

function parts(format: Intl.DateTimeFormat, date: Date): Record<string, string> {
  return Object.fromEntries(format.formatToParts(date).map((p) => [p.type, p.value]));
}

/** "Friday 4 December 2026", as the date falls in London. */
export function formatLondonDate(iso: string): string {
  const p = parts(dateFormat, new Date(iso));
  return `${p.weekday} ${p.day} ${p.month} ${p.year}`;
}

/**
 * A deadline as people in England read it: "5pm on Friday 4 December 2026 (UK time)",
 * "5:30pm on …", "midday on …", and "the end of Friday 4 December 2026 (UK time)" for 11:59pm.
 */
export function formatLondonDeadline(iso: string): string {
  const date = new Date(iso);
  const day = formatLondonDate(iso);
  const { hour, minute } = parts(timeFormat, date);
  const h = Number(hour);
  const m = Number(minute);
  if (h === 23 && m === 59) return `the end of ${day} (UK time)`;
  if (h === 0 && m === 0) return `midnight at the start of ${day} (UK time)`;
  if (h === 12 && m === 0) return `midday on ${day} (UK time)`;
  const clock = `${h % 12 === 0 ? 12 : h % 12}${m === 0 ? '' : `:${minute}`}${h < 12 ? 'am' : 'pm'}`;
  return `${clock} on ${day} (UK time)`;
}

/** One line, so a title can never add a header to the email. */
export function singleLine(value: string): string {
  return value.replace(/[\r\n\t\u2028\u2029]+/g, ' ').replace(/\s{2,}/g, ' ').trim();
}
