import type { AgreementContent, DataSharingAnnex } from '@pcn/agreements';
import { CAPACITY_LABELS, REQUEST_STATUS_LABELS } from '../rounds/round-labels';
import { RequestScope, RequestStatus, SignatureRequestEntity, SignerCapacity } from '../rounds/signature-request.entity';

/** One of a person's requests inside a part of the review page. */
export interface ReviewPartRequest {
  requestId: string;
  organisationId: string;
  organisationName: string;
  odsCode: string | null;
  capacity: SignerCapacity;
  capacityLabel: string;
  status: RequestStatus;
  statusLabel: string;
  viewedAt: Date | null;
}

/** One thing to approve: the agreement, or one annex, with every request it answers (a shared DPO: one part, many requests). */
export interface ReviewPart {
  kind: 'agreement' | 'annex';
  annexId: string | null;
  title: string;
  /** The boundHash of every request in the part. */
  hash: string;
  requests: ReviewPartRequest[];
}

/** What an annex-only party may read: the agreement's heading and its own annexes, nothing else. */
export interface AnnexOnlyContent {
  title: string;
  financialYear: string;
  effectiveFrom: string;
  annexes: DataSharingAnnex[];
}

export type RequestFields = Pick<
  SignatureRequestEntity,
  'id' | 'scope' | 'annexId' | 'annexTitle' | 'boundHash' | 'organisationId' | 'organisationName' | 'odsCode' | 'capacity' | 'status' | 'viewedAt'
>;

export function partRequest(r: RequestFields): ReviewPartRequest {
  return {
    requestId: r.id,
    organisationId: r.organisationId,
    organisationName: r.organisationName,
    odsCode: r.odsCode,
    capacity: r.capacity,
    capacityLabel: CAPACITY_LABELS[r.capacity] ?? r.capacity,
    status: r.status,
    statusLabel: REQUEST_STATUS_LABELS[r.status] ?? r.status,
    viewedAt: r.viewedAt,
  };
}

/**
 * Groups requests into parts: one per document (the agreement, or an annex) and hash, so a
 * person asked about the same annex for several organisations confirms it once. The
 * agreement comes first, then annexes in the order first met; requests by organisation name.
 */
export function groupParts(requests: RequestFields[], agreementTitle: string): ReviewPart[] {
  const parts = new Map<string, ReviewPart>();
  for (const r of requests) {
    const kind = r.scope === RequestScope.Annex ? 'annex' : 'agreement';
    const key = `${kind}:${r.annexId ?? ''}:${r.boundHash}`;
    let part = parts.get(key);
    if (!part) {
      part = { kind, annexId: kind === 'annex' ? r.annexId : null, title: kind === 'annex' ? (r.annexTitle ?? 'Data-sharing annex') : agreementTitle, hash: r.boundHash, requests: [] };
      parts.set(key, part);
    }
    part.requests.push(partRequest(r));
  }
  const list = [...parts.values()];
  for (const part of list) part.requests.sort((a, b) => a.organisationName.localeCompare(b.organisationName));
  return [...list.filter((p) => p.kind === 'agreement'), ...list.filter((p) => p.kind === 'annex')];
}

/**
 * The revision content a person may read. A party to the agreement itself reads all of it;
 * a party only to annexes reads the heading and those annexes: no schedules, no other annex.
 */
export function contentForParty(content: AgreementContent, requests: Pick<SignatureRequestEntity, 'scope' | 'annexId'>[]): { scope: 'agreement'; content: AgreementContent } | { scope: 'annexes'; content: AnnexOnlyContent } {
  if (requests.some((r) => r.scope === RequestScope.Agreement)) return { scope: 'agreement', content };
  const annexIds = new Set(requests.map((r) => r.annexId).filter((id): id is string => !!id));
  return {
    scope: 'annexes',
    content: { title: content.title, financialYear: content.financialYear, effectiveFrom: content.effectiveFrom, annexes: content.annexes.filter((a) => !!a.id && annexIds.has(a.id)) },
  };
}
