export type ContentChangeKind = 'added' | 'removed' | 'changed';

export interface ContentChange {
  path: string;
  change: ContentChangeKind;
  before?: unknown;
  after?: unknown;
}

/**
 * Field-level differences between two revisions, for "what changed since you
 * last signed" views and the audit trail.
 *
 * Paths follow the validation rules' syntax (`schedules.finances.shares[1].percentage`)
 * with one exception: annexes are matched by `id` when both revisions carry ids,
 * giving paths like `annexes[id=<uuid>].title`, so deleting or reordering an annex
 * does not report every later annex as changed. Without ids annexes fall back to index.
 *
 * Leaves are compared recursively. A whole subtree that exists on only one side
 * (a new annex, a removed share row) is reported once at its own path with the
 * full value, rather than leaf by leaf. Properties whose value is undefined count
 * as absent, matching `canonicalJson`; for JSON-shaped content the diff is empty
 * exactly when the content hashes match (an annex reorder is reported at `annexes`).
 */
export function diffContent(before: unknown, after: unknown): ContentChange[] {
  const changes: ContentChange[] = [];
  compare(before, after, '', changes);
  return changes;
}

function compare(before: unknown, after: unknown, path: string, out: ContentChange[]): void {
  if (Array.isArray(before) && Array.isArray(after)) {
    if (path === 'annexes' && allHaveIds(before) && allHaveIds(after)) {
      compareById(before, after, path, out);
    } else {
      compareArrays(before, after, path, out);
    }
    return;
  }
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) {
      const childPath = path ? `${path}.${key}` : key;
      const b = before[key];
      const a = after[key];
      if (b === undefined && a === undefined) continue;
      if (b === undefined) out.push({ path: childPath, change: 'added', after: a });
      else if (a === undefined) out.push({ path: childPath, change: 'removed', before: b });
      else compare(b, a, childPath, out);
    }
    return;
  }
  if (!Object.is(normalise(before), normalise(after))) {
    out.push({ path, change: 'changed', before, after });
  }
}

function compareArrays(before: unknown[], after: unknown[], path: string, out: ContentChange[]): void {
  const length = Math.max(before.length, after.length);
  for (let i = 0; i < length; i++) {
    const itemPath = `${path}[${i}]`;
    if (i >= before.length) out.push({ path: itemPath, change: 'added', after: after[i] });
    else if (i >= after.length) out.push({ path: itemPath, change: 'removed', before: before[i] });
    else compare(before[i], after[i], itemPath, out);
  }
}

function compareById(before: WithId[], after: WithId[], path: string, out: ContentChange[]): void {
  // Order is part of the content (annex numbering in the PDF), so a reorder is a change too.
  const afterIdSet = new Set(after.map((item) => item.id));
  const keptBefore = before.map((item) => item.id).filter((id) => afterIdSet.has(id));
  const beforeIdSet = new Set(keptBefore);
  const keptAfter = after.map((item) => item.id).filter((id) => beforeIdSet.has(id));
  if (keptBefore.some((id, i) => id !== keptAfter[i])) {
    out.push({ path, change: 'changed', before: before.map((item) => item.id), after: after.map((item) => item.id) });
  }
  const afterById = new Map(after.map((item) => [item.id, item]));
  const beforeIds = new Set(before.map((item) => item.id));
  for (const item of before) {
    const itemPath = `${path}[id=${item.id}]`;
    const match = afterById.get(item.id);
    if (match === undefined) out.push({ path: itemPath, change: 'removed', before: item });
    else compare(item, match, itemPath, out);
  }
  for (const item of after) {
    if (!beforeIds.has(item.id)) out.push({ path: `${path}[id=${item.id}]`, change: 'added', after: item });
  }
}

type WithId = Record<string, unknown> & { id: string };

function allHaveIds(items: unknown[]): items is WithId[] {
  const ids = new Set<unknown>();
  for (const item of items) {
    if (!isPlainObject(item) || typeof item.id !== 'string' || item.id.length === 0 || ids.has(item.id)) return false;
    ids.add(item.id);
  }
  return true;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function normalise(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  return value === 0 ? 0 : value; // -0 and 0 serialise identically
}
