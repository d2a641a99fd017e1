import type { NotificationTask } from '@pcn/notifications';
import { RequestScope, SignatureRequestEntity, SignerCapacity } from '../rounds/signature-request.entity';

/** How a capacity reads in an email. */
export const CAPACITY_LABEL: Record<SignerCapacity, string> = {
  [SignerCapacity.Partner]: 'Partner',
  [SignerCapacity.Director]: 'Director',
  [SignerCapacity.SoleTrader]: 'Sole practitioner',
  [SignerCapacity.AuthorisedSignatory]: 'Authorised signatory',
  [SignerCapacity.ClinicalDirector]: 'Clinical director',
  [SignerCapacity.Dpo]: 'Data Protection Officer',
  [SignerCapacity.CaldicottGuardian]: 'Caldicott Guardian',
};

const CAPACITY_ORDER = Object.keys(CAPACITY_LABEL) as SignerCapacity[];

export type DigestRequest = Pick<SignatureRequestEntity, 'scope' | 'annexId' | 'annexTitle' | 'capacity' | 'organisationName' | 'odsCode'>;

/**
 * The part of the revision a request is about: "The network agreement", or "Annex A: <title>"
 * with the annex's letter from its position in the revision (`annexIds`, in order).
 */
export function partLabel(request: Pick<DigestRequest, 'scope' | 'annexId' | 'annexTitle'>, annexIds: readonly (string | null | undefined)[]): string {
  if (request.scope === RequestScope.Agreement || request.annexId === null) return 'The network agreement';
  const index = annexIds.indexOf(request.annexId);
  const letter = index >= 0 && index < 26 ? ` ${String.fromCharCode(65 + index)}` : index >= 26 ? ` ${index + 1}` : '';
  return `Annex${letter}: ${request.annexTitle ?? 'data-sharing annex'}`;
}

function organisation(request: DigestRequest): string {
  return request.odsCode ? `${request.organisationName} (${request.odsCode})` : request.organisationName;
}

/**
 * One person's requests of one step, in words: one task per document and capacity, listing
 * every organisation it is for. The agreement comes first, then the annexes in order.
 */
export function digestTasks(requests: readonly DigestRequest[], annexIds: readonly (string | null | undefined)[]): NotificationTask[] {
  const groups = new Map<string, { order: [number, number]; task: NotificationTask }>();
  for (const r of requests) {
    const partOrder = r.scope === RequestScope.Agreement || r.annexId === null ? -1 : annexIds.indexOf(r.annexId) >= 0 ? annexIds.indexOf(r.annexId) : annexIds.length;
    const key = `${r.scope}|${r.annexId ?? ''}|${r.capacity}`;
    let group = groups.get(key);
    if (!group) {
      group = { order: [partOrder, CAPACITY_ORDER.indexOf(r.capacity)], task: { document: partLabel(r, annexIds), capacity: CAPACITY_LABEL[r.capacity] ?? r.capacity, organisations: [] } };
      groups.set(key, group);
    }
    const name = organisation(r);
    if (!group.task.organisations.includes(name)) group.task.organisations.push(name);
  }
  return [...groups.values()]
    .sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1])
    .map(({ task }) => ({ ...task, organisations: [...task.organisations].sort((x, y) => x.localeCompare(y, 'en-GB')) }));
}

/** Whether a person's request is about the same part of the revision as the declined one. */
export function samePart(a: Pick<DigestRequest, 'scope' | 'annexId'>, b: Pick<DigestRequest, 'scope' | 'annexId'>): boolean {
  if (a.scope === RequestScope.Agreement || b.scope === RequestScope.Agreement) return a.scope === b.scope;
  return a.annexId !== null && a.annexId === b.annexId;
}
