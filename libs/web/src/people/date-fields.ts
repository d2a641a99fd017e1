/** The NHS design system's date input (day, month, year boxes) read from and written back to a form. */
type Form = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
const pad = (n: string) => n.padStart(2, '0');

/**
 * The day, month and year typed in the design system's date input: nhsuk-frontend 10 names its
 * boxes prefix[day], prefix[month], prefix[year], which the pages' body parser (qs) reads as
 * one object under `prefix` (what browsers send). The flat prefix-day names of older forms,
 * still posted by scripted clients, are read too.
 */
function partsOf(form: Form, prefix: string): Record<'day' | 'month' | 'year', string> {
  const nested = form[prefix];
  const box = (k: string) => (nested && typeof nested === 'object' ? str((nested as Form)[k]) : str(form[`${prefix}-${k}`]));
  return { day: box('day'), month: box('month'), year: box('year') };
}

/** "1", "4", "2026" from a date input → "2026-04-01"; '' when all blank; 'invalid' otherwise. */
export function dateFrom(form: Form, prefix: string): string {
  const { day: d, month: m, year: y } = partsOf(form, prefix);
  if (!d && !m && !y) return '';
  if (!/^\d{1,2}$/.test(d) || !/^\d{1,2}$/.test(m) || !/^\d{4}$/.test(y)) return 'invalid';
  const iso = `${y}-${pad(m)}-${pad(d)}`;
  const date = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || !date.toISOString().startsWith(iso) ? 'invalid' : iso;
}

/** The date input's items with what was typed. */
export function dateValues(form: Form, prefix: string) {
  const parts = partsOf(form, prefix);
  return (['day', 'month', 'year'] as const).map((k) => ({ name: k, classes: k === 'year' ? 'nhsuk-input--width-4' : 'nhsuk-input--width-2', value: parts[k] }));
}

/** The date input's items for an ISO date (e.g. today as the default). */
export function dateItemsOf(iso: string) {
  const [y, m, d] = iso.split('-');
  return dateValues({ date: { day: String(Number(d)), month: String(Number(m)), year: y } }, 'date');
}
