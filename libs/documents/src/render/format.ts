const UTC = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  day: '2-digit',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});
const LONDON = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: '2-digit',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'short',
});
const DATE_ONLY = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});

function parse(iso: string): Date | null {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** `14 Mar 2026, 10:32:05 UTC` */
export function formatUtc(iso: string | null | undefined): string {
  const d = iso ? parse(iso) : null;
  return d ? `${UTC.format(d)} UTC` : '—';
}

/** `14 Mar 2026, 11:32:05 BST` (Europe/London, GMT or BST as applicable) */
export function formatLondon(iso: string | null | undefined): string {
  const d = iso ? parse(iso) : null;
  return d ? LONDON.format(d) : '—';
}

/** `1 April 2026` for a date or instant; the input string when it is not a date. */
export function formatDate(isoDate: string): string {
  const d = parse(isoDate);
  return d ? DATE_ONLY.format(d) : isoDate;
}
