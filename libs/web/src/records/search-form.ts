import { AgreementStatus } from '@pcn/agreements';
import type { SearchQuery } from '@pcn/documents';

export interface DateParts {
  day: string;
  month: string;
  year: string;
}

export interface SearchForm {
  pcn: string;
  icb: string;
  practice: string;
  from: DateParts;
  to: DateParts;
  status: string;
}

export interface ParsedSearch {
  form: SearchForm;
  query: SearchQuery;
  errors: { text: string; href: string }[];
  fieldErrors: Record<string, string>;
}

export const SEARCHABLE_STATUSES = [AgreementStatus.Executed, AgreementStatus.Superseded, AgreementStatus.Terminated];

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : Array.isArray(v) && typeof v[0] === 'string' ? v[0].trim() : '');

function dateParts(query: Record<string, unknown>, prefix: string): DateParts {
  const nested = (query[prefix] ?? {}) as Record<string, unknown>;
  const part = (name: string) => text(query[`${prefix}[${name}]`] ?? (typeof nested === 'object' ? nested[name] : undefined));
  return { day: part('day'), month: part('month'), year: part('year') };
}

/** "2026-04-01" from day, month and year, or an error in words; null when all three are empty. */
function isoDate(parts: DateParts, label: string): { iso?: string; error?: string; field?: string } {
  const { day, month, year } = parts;
  if (!day && !month && !year) return {};
  if (!day) return { error: `${label} must include a day`, field: 'day' };
  if (!month) return { error: `${label} must include a month`, field: 'month' };
  if (!year) return { error: `${label} must include a year`, field: 'year' };
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) return { error: `${label} must be a real date, like 1 4 2026`, field: 'day' };
  const d = Number(day);
  const m = Number(month);
  const y = Number(year);
  const date = new Date(Date.UTC(y, m - 1, d));
  if (m < 1 || m > 12 || date.getUTCDate() !== d || date.getUTCMonth() !== m - 1) return { error: `${label} must be a real date, like 1 4 2026`, field: m < 1 || m > 12 ? 'month' : 'day' };
  return { iso: `${year}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}` };
}

/** Reads the auditor search form (a GET form) into a search query, with errors for the error summary. */
export function parseSearch(query: Record<string, unknown>): ParsedSearch {
  const form: SearchForm = { pcn: text(query.pcn), icb: text(query.icb).toUpperCase(), practice: text(query.practice).toUpperCase(), from: dateParts(query, 'from'), to: dateParts(query, 'to'), status: text(query.status) };
  const errors: ParsedSearch['errors'] = [];
  const fieldErrors: Record<string, string> = {};
  const fail = (id: string, message: string) => {
    errors.push({ text: message, href: `#${id}` });
    fieldErrors[id] = message;
  };
  const out: SearchQuery = {};
  if (form.pcn) {
    if (/^U\d{5}$/i.test(form.pcn)) out.pcnCode = form.pcn.toUpperCase();
    else if (form.pcn.length > 100) fail('pcn', 'PCN name must be 100 characters or fewer');
    else out.pcnName = form.pcn;
  }
  if (form.icb) {
    if (/^Q[0-9A-Z]{2}$/.test(form.icb)) out.icbCode = form.icb;
    else fail('icb', 'Enter an ICB code: Q and two letters or digits, like QHM');
  }
  if (form.practice) {
    if (/^[A-Z]\d{5}$/.test(form.practice)) out.practiceOdsCode = form.practice;
    else fail('practice', 'Enter a GP practice ODS code: a letter and five digits, like A87001');
  }
  const from = isoDate(form.from, 'Executed from');
  if (from.error) fail(`from-${from.field}`, from.error);
  else if (from.iso) out.executedFrom = from.iso;
  const to = isoDate(form.to, 'Executed to');
  if (to.error) fail(`to-${to.field}`, to.error);
  else if (to.iso) out.executedTo = to.iso;
  if (out.executedFrom && out.executedTo && out.executedFrom > out.executedTo) fail('to-day', 'Executed to must be the same as or after executed from');
  if (form.status) {
    if ((SEARCHABLE_STATUSES as string[]).includes(form.status)) out.status = form.status as AgreementStatus;
    else fail('status', 'Choose executed, superseded or terminated');
  }
  return { form, query: out, errors, fieldErrors };
}
