import type { Environment } from 'nunjucks';

const LONDON = 'Europe/London';
const dateFmt = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: LONDON });
const timeFmt = new Intl.DateTimeFormat('en-GB', { hour: 'numeric', minute: '2-digit', hour12: true, timeZone: LONDON });

function toDate(value: unknown): Date | null {
  if (value === null || value === undefined || value === '') return null;
  const d = value instanceof Date ? value : new Date(String(value));
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "1 April 2026" (UK time). */
export function ukDate(value: unknown): string {
  const d = toDate(value);
  return d ? dateFmt.format(d) : '';
}

/** "1 April 2026 at 2:05pm" (UK time), the NHS style for dates with times. */
export function ukDateTime(value: unknown): string {
  const d = toDate(value);
  return d ? `${dateFmt.format(d)} at ${timeFmt.format(d).replace(' ', '').toLowerCase()}` : '';
}

/** "3 practices" / "1 practice". */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** Filters every page template may use. Keep formatting here, not in controllers. */
export function addPageFilters(env: Environment): void {
  env.addFilter('ukDate', ukDate);
  env.addFilter('ukDateTime', ukDateTime);
  env.addFilter('plural', plural);
  env.addFilter('number', (n: unknown) => (typeof n === 'number' ? n.toLocaleString('en-GB') : n));
  env.addGlobal('serviceName', 'PCN Agreements');
}
