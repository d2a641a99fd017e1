import { contentHash } from '../canonical-json';
import { diffContent } from '../content-diff';
import type { AgreementContent } from '../agreement-content.types';
import { BYTES_IDS, buildProcessorAnnex, buildValidContent } from './content.factory';

function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]));
  }
  return value;
}

function edited(edit: (c: AgreementContent) => void): AgreementContent {
  const content = buildValidContent();
  edit(content);
  return content;
}

describe('diffContent', () => {
  it('returns nothing for equal content, whatever the key order', () => {
    const content = buildValidContent();
    expect(diffContent(content, buildValidContent())).toEqual([]);
    expect(diffContent(content, reverseKeys(content))).toEqual([]);
  });

  it('lists a changed leaf with its rule-style path and both values', () => {
    const after = edited((c) => (c.schedules.workforce.arrsPosts[1].wte = 0.6));
    expect(diffContent(buildValidContent(), after)).toEqual([
      { path: 'schedules.workforce.arrsPosts[1].wte', change: 'changed', before: 0.8, after: 0.6 },
    ]);
  });

  it('reports added and removed optional fields', () => {
    const after = edited((c) => {
      c.disputeClauseOverrides = { meetingClause: 'We will meet within ten working days.' };
      delete c.schedules.keyDetails.clinicalDirector.personId;
    });
    expect(diffContent(buildValidContent(), after)).toEqual([
      { path: 'disputeClauseOverrides', change: 'added', after: { meetingClause: 'We will meet within ten working days.' } },
      { path: 'schedules.keyDetails.clinicalDirector.personId', change: 'removed', before: BYTES_IDS.clinicalDirector },
    ]);
  });

  it('treats a property set to undefined as absent, like the hash does', () => {
    const after = edited((c) => (c.disputeClauseOverrides = undefined));
    expect(diffContent(buildValidContent(), after)).toEqual([]);
    expect(contentHash(after)).toBe(contentHash(buildValidContent()));
  });

  it('reports array items added at the end by index', () => {
    const after = edited((c) => c.annexes[0].securityMeasures.push('Annual penetration test'));
    expect(diffContent(buildValidContent(), after)).toEqual([
      { path: 'annexes[id=' + BYTES_IDS.directCareAnnex + '].securityMeasures[3]', change: 'added', after: 'Annual penetration test' },
    ]);
  });

  it('matches annexes by id, so reordering does not misreport fields', () => {
    const dpa = buildProcessorAnnex();
    const before = edited((c) => c.annexes.push(dpa));
    const after = edited((c) => {
      c.annexes.unshift({ ...dpa, title: 'Federation booking processing' });
    });
    expect(diffContent(before, after)).toEqual([
      { path: 'annexes', change: 'changed', before: [BYTES_IDS.directCareAnnex, dpa.id], after: [dpa.id, BYTES_IDS.directCareAnnex] },
      { path: `annexes[id=${dpa.id}].title`, change: 'changed', before: dpa.title, after: 'Federation booking processing' },
    ]);
  });

  it('reports a whole annex added or removed once, at its id path', () => {
    const dpa = buildProcessorAnnex();
    const withDpa = edited((c) => c.annexes.push(dpa));
    expect(diffContent(buildValidContent(), withDpa)).toEqual([{ path: `annexes[id=${dpa.id}]`, change: 'added', after: dpa }]);
    expect(diffContent(withDpa, buildValidContent())).toEqual([{ path: `annexes[id=${dpa.id}]`, change: 'removed', before: dpa }]);
  });

  it('falls back to index paths when an annex has no id yet', () => {
    const after = edited((c) => {
      delete c.annexes[0].id;
      c.annexes[0].breachNotificationHours = 12;
    });
    expect(diffContent(buildValidContent(), after)).toEqual([
      { path: 'annexes[0].breachNotificationHours', change: 'changed', before: 24, after: 12 },
      { path: 'annexes[0].id', change: 'removed', before: BYTES_IDS.directCareAnnex },
    ]);
  });

  it('is empty exactly when the content hashes match', () => {
    const variants = [
      buildValidContent(),
      edited((c) => (c.title = 'Renamed')),
      edited((c) => c.annexes.push(buildProcessorAnnex())),
      edited((c) => c.schedules.activities.reverse()),
    ];
    for (const a of variants) {
      for (const b of variants) {
        expect(diffContent(a, b).length === 0).toBe(contentHash(a) === contentHash(b));
      }
    }
  });
});
