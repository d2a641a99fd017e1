import { ANNEX_PARTS, AgreementContent } from '@pcn/agreements';
import { anchorsOf, FieldView, GroupView, idFor, ListView } from './form-model';

export interface SummaryError {
  text: string;
  href: string;
}

/** Which section page shows a content path: `schedules.finances.x` → schedule4, `annexes[0].purposes` → annex:<id>:purposes. */
export function sectionOfPath(path: string, content: AgreementContent): string {
  const schedule = /^schedules\.([A-Za-z]+)/.exec(path);
  if (schedule) {
    const keys = ['keyDetails', 'additionalTerms', 'activities', 'finances', 'workforce', 'insurance', 'nonGpArrangements'];
    const n = keys.indexOf(schedule[1]);
    return n >= 0 ? `schedule${n + 1}` : 'general';
  }
  const annex = /^annexes\[(\d+)\]\.?([A-Za-z]*)/.exec(path);
  if (annex) {
    const a = content.annexes?.[Number(annex[1])];
    const part = ANNEX_PARTS.find((p) => (p.fields as readonly string[]).includes(annex[2]))?.part ?? 'details';
    return a?.id ? `annex:${a.id}:${part}` : 'general';
  }
  return 'general';
}

const lastProperty = (path: string) => path.replace(/\[\d+\]/g, '').split('.').pop() ?? '';

/** class-validator messages start with the property name; say it in words instead. */
export function humaniseMessage(message: string, path: string, label: string | undefined): string {
  const prop = lastProperty(path);
  let text = message;
  if (label && prop && text.startsWith(`${prop} `)) text = `${label}${text.slice(prop.length)}`;
  text = text
    .replace(/must be a number conforming to the specified constraints/, 'must be a number, for example 25')
    .replace(/must be one of the following values: .*$/, 'must be chosen from the list')
    .replace(/must be a valid enum value$/, 'must be chosen from the list')
    .replace(/must be a UUID$/, 'must be chosen from the list');
  // The design system's wording for a missing answer: "Select …" for choices, "Enter …" for text.
  if (label) {
    const lower = label[0].toLowerCase() + label.slice(1);
    if (text === `${label} must be chosen from the list`) text = `Select ${lower}`;
    else if (text === `${label} should not be empty`) text = `Enter ${lower}`;
    else if (text === `${label} must be a boolean value`) text = `Select yes or no for “${label}”`;
  }
  // In a repeatable list, say which row: several rows can have the same problem.
  const row = /\[(\d+)\](?!.*\[\d+\])/.exec(path.replace(/^annexes\[\d+\]/, ''));
  const prefix = row ? `Row ${Number(row[1]) + 1}: ` : '';
  return prefix + (text[0] ? text[0].toUpperCase() + text.slice(1) : text);
}

/**
 * Places every field error on the input it belongs to (by content path: the input itself,
 * else the first input inside it, else the list or field that contains it) and returns the
 * error summary, in the order the form shows the fields. Errors that belong to another
 * section link to that section's page.
 */
export function placeErrors(groups: GroupView[], fieldErrors: Record<string, string[]>, otherSectionHref: (path: string) => string): SummaryError[] {
  const anchors = anchorsOf(groups);
  const views = new Map<string, FieldView | ListView>();
  for (const g of groups) {
    for (const item of g.items) {
      views.set(item.path, item);
      if (item.kind === 'list') for (const row of item.rows) for (const f of row.fields) views.set(f.path, f);
    }
  }
  const placed: { order: number; error: SummaryError }[] = [];
  for (const [path, messages] of Object.entries(fieldErrors)) {
    let at = anchors.findIndex((a) => a.path === path);
    if (at < 0) at = anchors.findIndex((a) => a.path.startsWith(`${path}.`) || a.path.startsWith(`${path}[`));
    if (at < 0) {
      const containing = anchors.map((a, i) => ({ a, i })).filter(({ a }) => a.path && (path.startsWith(`${a.path}.`) || path.startsWith(`${a.path}[`)));
      at = containing.length ? containing.sort((x, y) => y.a.path.length - x.a.path.length)[0].i : -1;
    }
    const label = at >= 0 ? anchors[at].label : undefined;
    const text = messages.map((m) => humaniseMessage(m, path, anchors.find((a) => a.path === path)?.label ?? label)).join(' ');
    if (at < 0) {
      placed.push({ order: Number.MAX_SAFE_INTEGER, error: { text, href: `${otherSectionHref(path)}#${idFor(path)}` } });
      continue;
    }
    const view = views.get(anchors[at].path);
    if (view) view.error = view.error && anchors[at].path !== path ? `${view.error} ${text}` : text;
    placed.push({ order: at, error: { text, href: `#${anchors[at].anchor}` } });
  }
  return placed.sort((a, b) => a.order - b.order).map((p) => p.error);
}
