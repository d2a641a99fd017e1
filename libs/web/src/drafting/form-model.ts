import { enumOptions, LabelledEnum } from '@pcn/agreements';

/*
 * A small form engine for the drafting pages. A section form is described once (fields,
 * repeatable lists), then:
 *   - `buildForm` turns the section's value and any field errors into view models the
 *     template renders with the NHS macros (ids derived from content paths, e.g.
 *     `schedules.finances.shares[0].percentage` → `schedules-finances-shares-0-percentage`);
 *   - `parseForm` turns the posted form (`v[shares][0][percentage]`) back into the value.
 * Inputs are named by the path inside the section, prefixed `v`.
 */

export type FieldType = 'text' | 'textarea' | 'number' | 'integer' | 'date' | 'enum' | 'org' | 'bool' | 'orgMulti' | 'enumMulti' | 'textList' | 'suggest';

export type OrgChoice = 'members' | 'nonGp' | 'all';

export interface FieldDef {
  key: string;
  label: string;
  hint?: string;
  type: FieldType;
  /** Labelled enum for `enum` / `enumMulti`. */
  enumKind?: LabelledEnum;
  /** Enums shown as radios (with their explanations as hints) rather than a select list. */
  radios?: boolean;
  orgs?: OrgChoice;
  optional?: boolean;
  /** Options for `suggest`: a select of suggestions whose value is stored as text. */
  suggestions?: readonly { value: string; label: string; explanation?: string }[];
  width?: number;
  suffix?: string;
}

export interface ListDef {
  list: string;
  label: string;
  hint?: string;
  /** "share" → "Share 2", "Add another share". */
  rowNoun: string;
  fields: FieldDef[];
  /** Row sub-objects that are dropped when all their fields are blank (e.g. `dpo`). */
  optionalObjects?: string[];
}

export interface GroupDef {
  heading?: string;
  hint?: string;
  items: (FieldDef | ListDef)[];
}

export interface SectionFormDef {
  groups: GroupDef[];
  /** Section sub-objects dropped when all their fields are blank (e.g. `listSizeException`). */
  optionalObjects?: string[];
}

export interface OrganisationOption {
  id: string;
  text: string;
  group: 'member' | 'nonGp' | 'other';
}

export interface FormContext {
  /** Where the section lives in the content: `schedules.finances`, `annexes[1]`, or '' for general. */
  base: string;
  organisations: OrganisationOption[];
  /** content path → messages */
  fieldErrors: Record<string, string[]>;
}

export interface Choice {
  value: string;
  text: string;
  selected?: boolean;
  checked?: boolean;
  hint?: { text: string };
}

export interface FieldView {
  kind: 'field';
  type: FieldType;
  id: string;
  name: string;
  path: string;
  label: string;
  hint?: string;
  value: string;
  date?: { day: string; month: string; year: string };
  items?: Choice[];
  error?: string;
  width?: number;
  suffix?: string;
  radios?: boolean;
  inputmode?: string;
  /** The id an error summary links to (the first input of a radio group or date). */
  anchor: string;
}

export interface RowView {
  index: number;
  title: string;
  fields: FieldView[];
}

export interface ListView {
  kind: 'list';
  id: string;
  path: string;
  label: string;
  hint?: string;
  listKey: string;
  rowNoun: string;
  rows: RowView[];
  error?: string;
  anchor: string;
}

export interface GroupView {
  heading?: string;
  hint?: string;
  items: (FieldView | ListView)[];
}

export const isList = (item: FieldDef | ListDef): item is ListDef => 'list' in item;

type Seg = string | number;
const segsOf = (key: string): Seg[] => (key === '' ? [] : key.split('.'));

/** `schedules.finances` + ['shares', 0, 'percentage'] → `schedules.finances.shares[0].percentage`. */
export function joinPath(base: string, segs: Seg[]): string {
  let out = base;
  for (const s of segs) {
    if (typeof s === 'number') out += `[${s}]`;
    else out = out ? `${out}.${s}` : s;
  }
  return out;
}

/** A content path as an HTML id: `annexes[0].purposes[1].art6Basis` → `annexes-0-purposes-1-art6Basis`. */
export const idFor = (path: string) => path.replace(/\[(\d+)\]/g, '-$1').replace(/\./g, '-');
const nameFor = (segs: Seg[]) => `v${segs.map((s) => `[${s}]`).join('')}`;

export function getAt(value: unknown, segs: Seg[]): unknown {
  let cur = value;
  for (const s of segs) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[s as string];
  }
  return cur;
}

function setAt(target: Record<string, unknown>, segs: Seg[], value: unknown): void {
  let cur: Record<string, unknown> = target;
  segs.forEach((s, i) => {
    if (i === segs.length - 1) {
      if (value === undefined) delete cur[s as string];
      else cur[s as string] = value;
      return;
    }
    const next = cur[s as string];
    if (next === null || typeof next !== 'object') cur[s as string] = {};
    cur = cur[s as string] as Record<string, unknown>;
  });
}

/** qs turns arrays longer than 20 into objects keyed by index. */
export function asArray(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .filter(([k]) => /^\d+$/.test(k))
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([, v]) => v);
  }
  return [];
}

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));

function organisationItems(ctx: FormContext, choice: OrgChoice | undefined, current: string): Choice[] {
  const allowed = ctx.organisations.filter((o) => choice === 'all' || !choice || (choice === 'members' ? o.group === 'member' : o.group !== 'member'));
  const items: Choice[] = allowed.map((o) => ({ value: o.id, text: o.text, selected: o.id === current }));
  if (current && !items.some((i) => i.value === current)) {
    const known = ctx.organisations.find((o) => o.id === current);
    items.push({ value: current, text: known?.text ?? 'An organisation not in the directory', selected: true });
  }
  return items;
}

function fieldView(def: FieldDef, segs: Seg[], value: unknown, ctx: FormContext): FieldView {
  const path = joinPath(ctx.base, segs);
  const id = idFor(path);
  const view: FieldView = { kind: 'field', type: def.type, id, name: nameFor(segs), path, label: def.label, hint: def.hint, value: '', width: def.width, suffix: def.suffix, radios: def.radios, anchor: id };
  const messages = ctx.fieldErrors[path];
  if (messages?.length) view.error = messages.join(' ');
  switch (def.type) {
    case 'number':
    case 'integer':
      view.value = str(value);
      view.inputmode = def.type === 'integer' ? 'numeric' : 'decimal';
      break;
    case 'date': {
      const [year = '', month = '', day = ''] = typeof value === 'string' ? value.split('-') : [];
      view.date = { day: day.replace(/^0(?=\d)/, ''), month: month.replace(/^0(?=\d)/, ''), year };
      view.anchor = `${id}-day`;
      break;
    }
    case 'enum': {
      const current = str(value);
      const options = enumOptions(def.enumKind!);
      view.items = options.map((o) => ({ value: o.value, text: o.label, selected: o.value === current, checked: o.value === current, ...(o.explanation ? { hint: { text: o.explanation } } : {}) }));
      if (def.radios && def.optional) view.items.push({ value: '', text: 'None of these', checked: current === '' });
      view.value = current;
      break;
    }
    case 'suggest': {
      const current = str(value);
      view.items = (def.suggestions ?? []).map((o) => ({ value: o.value, text: o.label, selected: o.value === current }));
      if (current && !view.items.some((i) => i.value === current)) view.items.push({ value: current, text: current, selected: true });
      view.value = current;
      break;
    }
    case 'org':
      view.value = str(value);
      view.items = organisationItems(ctx, def.orgs, view.value);
      break;
    case 'bool':
      view.value = value === true ? 'yes' : value === false ? 'no' : '';
      view.items = [
        { value: 'yes', text: 'Yes', checked: value === true },
        { value: 'no', text: 'No', checked: value === false },
      ];
      break;
    case 'orgMulti': {
      const chosen = new Set(asArray(value).map(str));
      view.items = organisationItems(ctx, def.orgs, '').map((i) => ({ value: i.value, text: i.text, checked: chosen.has(i.value) }));
      break;
    }
    case 'enumMulti': {
      const chosen = new Set(asArray(value).map(str));
      view.items = enumOptions(def.enumKind!).map((o) => ({ value: o.value, text: o.label, checked: chosen.has(o.value) }));
      break;
    }
    case 'textList':
      view.value = asArray(value).map(str).join('\n');
      break;
    default:
      view.value = str(value);
  }
  if ((def.type === 'bool' || (def.type === 'enum' && def.radios) || def.type === 'orgMulti' || def.type === 'enumMulti') && view.items?.length) view.anchor = id;
  return view;
}

/** View models for a section form, in group order, with errors placed on their inputs. */
export function buildForm(def: SectionFormDef, value: unknown, ctx: FormContext): GroupView[] {
  return def.groups.map((group) => ({
    heading: group.heading,
    hint: group.hint,
    items: group.items.map((item) => {
      if (!isList(item)) return fieldView(item, segsOf(item.key), getAt(value, segsOf(item.key)), ctx);
      const listSegs = segsOf(item.list);
      const path = joinPath(ctx.base, listSegs);
      const rows = asArray(getAt(value, listSegs));
      const messages = ctx.fieldErrors[path];
      const listView: ListView = {
        kind: 'list',
        id: idFor(path) || 'rows',
        path,
        label: item.label,
        hint: item.hint,
        listKey: item.list || 'rows',
        rowNoun: item.rowNoun,
        anchor: idFor(path) || 'rows',
        rows: rows.map((row, index) => ({
          index,
          title: `${item.rowNoun[0].toUpperCase()}${item.rowNoun.slice(1)} ${index + 1}`,
          fields: item.fields.map((f) => fieldView(f, [...listSegs, index, ...segsOf(f.key)], getAt(row, segsOf(f.key)), ctx)),
        })),
        ...(messages?.length ? { error: messages.join(' ') } : {}),
      };
      return listView;
    }),
  }));
}

function parseField(def: FieldDef, raw: unknown): unknown {
  switch (def.type) {
    case 'number':
    case 'integer': {
      const s = str(raw).trim().replace(/,/g, '').replace(/%$/, '');
      if (s === '') return undefined;
      return /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : s;
    }
    case 'date': {
      const parts = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
      const [d, m, y] = ['day', 'month', 'year'].map((k) => str(parts[k]).trim());
      if (!d && !m && !y) return undefined;
      const pad = (s: string) => (/^\d$/.test(s) ? `0${s}` : s);
      return `${y}-${pad(m)}-${pad(d)}`;
    }
    case 'bool':
      return raw === 'yes' ? true : raw === 'no' ? false : undefined;
    case 'orgMulti':
    case 'enumMulti':
      return (Array.isArray(raw) ? raw : raw === undefined || raw === '' ? [] : asArray(raw).length ? asArray(raw) : [raw]).map(str).filter((s) => s !== '');
    case 'textList':
      return str(raw)
        .split(/\r?\n/)
        .map((s) => s.trim())
        .filter(Boolean);
    case 'enum':
    case 'org':
    case 'suggest': {
      const s = str(raw).trim();
      return s === '' ? undefined : s;
    }
    default: {
      const s = str(raw).trim();
      return s === '' && def.optional ? undefined : s;
    }
  }
}

function dropBlankObjects(target: Record<string, unknown>, keys: string[] | undefined): void {
  for (const key of keys ?? []) {
    const segs = segsOf(key);
    const obj = getAt(target, segs);
    if (obj && typeof obj === 'object' && Object.values(obj).every((v) => v === undefined || v === '' || (Array.isArray(v) && v.length === 0))) setAt(target, segs, undefined);
  }
}

/**
 * The section's value from a posted form: `start` (the saved value, so fields this form
 * does not show survive) with every field of the form overwritten by what was posted.
 */
export function parseForm(def: SectionFormDef, body: unknown, start: unknown): unknown {
  const posted = (body && typeof body === 'object' ? (body as Record<string, unknown>).v : undefined) ?? {};
  const wholeList = def.groups.flatMap((g) => g.items).find((i) => isList(i) && i.list === '') as ListDef | undefined;
  const value: Record<string, unknown> = wholeList ? ({} as Record<string, unknown>) : structuredClone((start ?? {}) as Record<string, unknown>);
  let listValue: unknown[] | undefined;
  for (const item of def.groups.flatMap((g) => g.items)) {
    if (!isList(item)) {
      setAt(value, segsOf(item.key), parseField(item, getAt(posted, segsOf(item.key))));
      continue;
    }
    const rows = asArray(item.list === '' ? posted : getAt(posted, segsOf(item.list))).map((rawRow) => {
      const row: Record<string, unknown> = {};
      for (const f of item.fields) setAt(row, segsOf(f.key), parseField(f, getAt(rawRow, segsOf(f.key))));
      dropBlankObjects(row, item.optionalObjects);
      return row;
    });
    if (item.list === '') listValue = rows;
    else setAt(value, segsOf(item.list), rows);
  }
  if (listValue) return listValue;
  dropBlankObjects(value, def.optionalObjects);
  return value;
}

/** Adds a blank row to, or removes one row from, a list in a parsed value (re-rendered, not saved). */
export function changeRows(value: unknown, listKey: string, change: { add: true } | { remove: number }): unknown {
  const whole = listKey === 'rows';
  const rows = [...asArray(whole ? value : getAt(value, segsOf(listKey)))];
  if ('add' in change) rows.push({});
  else if (change.remove >= 0 && change.remove < rows.length) rows.splice(change.remove, 1);
  if (whole) return rows;
  const copy = structuredClone((value ?? {}) as Record<string, unknown>);
  setAt(copy, segsOf(listKey), rows);
  return copy;
}

/** Every input of a form by content path (fields, list fieldsets), for placing errors. */
export function anchorsOf(groups: GroupView[]): { path: string; anchor: string; label: string }[] {
  const out: { path: string; anchor: string; label: string }[] = [];
  for (const g of groups) {
    for (const item of g.items) {
      if (item.kind === 'field') out.push({ path: item.path, anchor: item.anchor, label: item.label });
      else {
        out.push({ path: item.path, anchor: item.anchor, label: item.label });
        for (const row of item.rows) for (const f of row.fields) out.push({ path: f.path, anchor: f.anchor, label: f.label });
      }
    }
  }
  return out;
}
