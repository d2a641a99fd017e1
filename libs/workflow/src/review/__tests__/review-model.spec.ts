import type { AgreementContent } from '@pcn/agreements';
import { RequestScope, RequestStatus, SignerCapacity } from '../../rounds/signature-request.entity';
import { CAPACITY_LABELS, REQUEST_STATUS_LABELS, ROLE_LABELS } from '../../rounds/round-labels';
import { contentForParty, groupParts, RequestFields } from '../review-model';

const hashA = 'a'.repeat(64);
const hashAnnex1 = '1'.repeat(64);
const hashAnnex2 = '2'.repeat(64);

function request(overrides: Partial<RequestFields>): RequestFields {
  return {
    id: `req-${Math.random().toString(16).slice(2)}`,
    scope: RequestScope.Agreement,
    annexId: null,
    annexTitle: null,
    boundHash: hashA,
    organisationId: 'org',
    organisationName: 'Org',
    odsCode: null,
    capacity: SignerCapacity.Partner,
    status: RequestStatus.Pending,
    viewedAt: null,
    ...overrides,
  };
}

describe('groupParts', () => {
  it('gives a shared DPO one part for one annex across five practices, requests by organisation name', () => {
    const names = ['Eden', 'Beech', 'Ash', 'Dale', 'Cedar'];
    const requests = names.map((name, i) =>
      request({ id: `r${i}`, scope: RequestScope.Annex, annexId: 'annex-1', annexTitle: 'Care homes DSA', boundHash: hashAnnex1, organisationName: name, capacity: SignerCapacity.Dpo }),
    );
    const parts = groupParts(requests, 'BYTES agreement');
    expect(parts).toHaveLength(1);
    expect(parts[0]).toEqual(expect.objectContaining({ kind: 'annex', annexId: 'annex-1', title: 'Care homes DSA', hash: hashAnnex1 }));
    expect(parts[0].requests.map((r) => r.organisationName)).toEqual(['Ash', 'Beech', 'Cedar', 'Dale', 'Eden']);
    expect(parts[0].requests[0]).toEqual(expect.objectContaining({ capacity: 'DPO', capacityLabel: 'Data Protection Officer', status: 'PENDING', statusLabel: 'Waiting' }));
  });

  it('puts the agreement first, then each annex once, whatever the input order', () => {
    const parts = groupParts(
      [
        request({ scope: RequestScope.Annex, annexId: 'annex-2', annexTitle: 'Second', boundHash: hashAnnex2 }),
        request({ scope: RequestScope.Annex, annexId: 'annex-1', annexTitle: 'First', boundHash: hashAnnex1 }),
        request({}),
        request({ scope: RequestScope.Annex, annexId: 'annex-2', annexTitle: 'Second', boundHash: hashAnnex2, organisationName: 'Another' }),
      ],
      'The agreement',
    );
    expect(parts.map((p) => [p.kind, p.title, p.requests.length])).toEqual([
      ['agreement', 'The agreement', 1],
      ['annex', 'Second', 2],
      ['annex', 'First', 1],
    ]);
    expect(parts[0].annexId).toBeNull();
  });

  it('returns no parts for no requests', () => {
    expect(groupParts([], 'x')).toEqual([]);
  });
});

describe('contentForParty', () => {
  const content = {
    title: 'Agreement',
    financialYear: '2026/27',
    effectiveFrom: '2026-04-01',
    schedules: { finances: { distributionBasis: 'EQUAL' } },
    disputeClauseOverrides: { mediation: 'x' },
    annexes: [
      { id: 'annex-1', title: 'Mine' },
      { id: 'annex-2', title: 'Not mine' },
    ],
  } as unknown as AgreementContent;

  it('gives a party to the agreement everything', () => {
    const visible = contentForParty(content, [{ scope: RequestScope.Annex, annexId: 'annex-1' }, { scope: RequestScope.Agreement, annexId: null }]);
    expect(visible.scope).toBe('agreement');
    expect(visible.content).toBe(content);
  });

  it('gives an annex-only party the heading and its own annexes only', () => {
    const visible = contentForParty(content, [{ scope: RequestScope.Annex, annexId: 'annex-1' }]);
    expect(visible).toEqual({ scope: 'annexes', content: { title: 'Agreement', financialYear: '2026/27', effectiveFrom: '2026-04-01', annexes: [{ id: 'annex-1', title: 'Mine' }] } });
    expect(JSON.stringify(visible)).not.toMatch(/schedules|finances|Not mine|mediation/);
  });
});

describe('labels', () => {
  it('has words for every capacity, role and request status', () => {
    for (const labels of [CAPACITY_LABELS, ROLE_LABELS, REQUEST_STATUS_LABELS]) {
      for (const label of Object.values(labels)) expect(label).toMatch(/^[A-Z][a-z]/);
    }
    expect(Object.keys(CAPACITY_LABELS)).toHaveLength(Object.values(SignerCapacity).length);
  });
});
