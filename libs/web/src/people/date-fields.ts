/** The NHS design system's date input (day, month, year boxes) read from and written back to a form. */
type Form = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
const pad = (n: string) => n.padStart(2, '0');

/** "1", "4", "2026" from a date input → "2026-04-01"; '' when all blank; 'invalid' otherwise. */
export function dateFrom(form: Form, prefix: string): string {
  const [d, m, y] = ['day', 'month', 'year'].map((k) => str(form[`${prefix}-${k}`]));
  if (!d && !m && !y) return '';
  if (!/^\d{1,2}$/.test(d) || !/^\d{1,2}$/.test(m) || !/^\d{4}$/.test(y)) return 'invalid';
  const iso = `${y}-${pad(m)}-${pad(d)}`;
  const date = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || !date.toISOString().startsWith(iso) ? 'invalid' : iso;
}

/** The date input's items with what was typed. */
export const dateValues = (form: Form, prefix: string) => ['day', 'month', 'year'].map((k) => ({ name: k, classes: k === 'year' ? 'nhsuk-input--width-4' : 'nhsuk-input--width-2', value: str(form[`${prefix}-${k}`]) }));

/** The date input's items for an ISO date (e.g. today as the default). */
export function dateItemsOf(iso: string) {
  const [y, m, d] = iso.split('-');
  return dateValues({ 'd-day': String(Number(d)), 'd-month': String(Number(m)), 'd-year': y }, 'd');
}
