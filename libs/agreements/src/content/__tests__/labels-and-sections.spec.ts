import * as enums from '../agreement-content.enums';
import { enumExplanation, enumLabel, enumOptions, LABELS, shortLabelMap } from '../agreement-content.labels';
import { AGREEMENT_SCHEDULES, ANNEX_PARTS, mergeSection, parseSectionId } from '../agreement-sections';
import { BYTES_IDS, buildValidContent } from './content.factory';

describe('LABELS', () => {
  it('labels every value of every enum in agreement-content.enums.ts, in words', () => {
    const enumNames = Object.keys(enums).sort();
    expect(Object.keys(LABELS).sort()).toEqual(enumNames);
    for (const name of enumNames) {
      const values = Object.values((enums as Record<string, Record<string, string>>)[name]);
      const labels = LABELS[name as keyof typeof LABELS] as Record<string, { label: string }>;
      expect(Object.keys(labels).sort()).toEqual([...values].sort());
      for (const value of values) expect(labels[value].label).toMatch(/^[A-Z].*[a-z]/);
    }
  });

  it('gives lawful bases, conditions and confidentiality bases a one-line explanation', () => {
    for (const kind of ['Art6Basis', 'Art9Condition', 'ConfidentialityBasis'] as const) {
      for (const option of enumOptions(kind)) expect(option.explanation).toMatch(/^[A-Z][^\n]+\.$/);
    }
    expect(enumLabel('Art6Basis', 'E')).toBe('Article 6(1)(e) — public task');
    expect(enumExplanation('Art6Basis', 'E')).toBe('Processing is necessary for a task in the public interest or official authority, such as providing NHS care.');
    expect(enumLabel('Art9Condition', 'H')).toBe('Article 9(2)(h) — health or social care');
    expect(enumLabel('ConfidentialityBasis', 'IMPLIED_CONSENT_DIRECT_CARE')).toBe('Implied consent for direct care');
  });

  it('builds select options in declaration order; unknown values are humanised, absent ones empty', () => {
    expect(enumOptions('DistributionBasis')).toEqual([
      { value: 'WEIGHTED_LIST_SIZE', label: 'By weighted list size' },
      { value: 'EQUAL_SHARES', label: 'In equal shares' },
      { value: 'CUSTOM_PERCENTAGES', label: 'By agreed percentages' },
    ]);
    expect(enumLabel('DataRole', 'CO_PILOT')).toBe('Co pilot');
    expect(enumLabel('DataRole', undefined)).toBe('');
    expect(shortLabelMap('Art6Basis').E).toBe('6(1)(e) public task');
    expect(shortLabelMap('PurposeCategory').DIRECT_CARE).toBe('Direct care');
  });
});

describe('sections', () => {
  it('maps schedules 1–7 onto the content keys', () => {
    expect(AGREEMENT_SCHEDULES.map((s) => [s.id, s.heading, s.contentKey])).toEqual([
      ['schedule1', 'Schedule 1 — Key network details and governance', 'keyDetails'],
      ['schedule2', 'Schedule 2 — Additional terms', 'additionalTerms'],
      ['schedule3', 'Schedule 3 — Activities', 'activities'],
      ['schedule4', 'Schedule 4 — Financial arrangements', 'finances'],
      ['schedule5', 'Schedule 5 — Workforce', 'workforce'],
      ['schedule6', 'Schedule 6 — Insurance and other terms', 'insurance'],
      ['schedule7', 'Schedule 7 — Arrangements with non-GP organisations', 'nonGpArrangements'],
    ]);
  });

  it('every annex field except its id belongs to exactly one part', () => {
    const fields = ANNEX_PARTS.flatMap((p) => p.fields).sort();
    expect(fields).toEqual(Object.keys(buildValidContent().annexes[0]).concat('endOn').filter((k) => k !== 'id').sort());
  });

  it('parses section ids', () => {
    expect(parseSectionId('schedule4')).toEqual({ kind: 'schedule', schedule: AGREEMENT_SCHEDULES[3] });
    expect(parseSectionId(`annex:${BYTES_IDS.directCareAnnex}:dpia`)).toEqual({ kind: 'annex', annexId: BYTES_IDS.directCareAnnex, part: ANNEX_PARTS[6] });
    expect(parseSectionId('general')).toEqual({ kind: 'general' });
    for (const bad of ['schedule8', 'annex:x:nothing', 'annex::dpia', 'Schedule4']) expect(parseSectionId(bad)).toBeUndefined();
  });

  it('merges an annex part: its fields replaced (absent = cleared), everything else untouched', () => {
    const content = buildValidContent();
    const result = mergeSection(content, parseSectionId(`annex:${BYTES_IDS.directCareAnnex}:dpia`)!, { dpia: { required: false, screeningSummary: 'Screened: no new risk.' } });
    expect(result).toEqual({ ok: true, path: 'annexes[0]', content: { ...content, annexes: [{ ...content.annexes[0], dpia: { required: false, screeningSummary: 'Screened: no new risk.' } }] } });
    const details = mergeSection(content, parseSectionId(`annex:${BYTES_IDS.directCareAnnex}:details`)!, { title: 'T', kind: content.annexes[0].kind, effectiveFrom: '2026-04-01' });
    expect(details.ok && details.content.annexes[0].privacyNoticeUrl).toBeUndefined();
    expect(mergeSection(content, parseSectionId(`annex:${BYTES_IDS.directCareAnnex}:dpia`)!, { dpia: {}, flows: [] })).toEqual({ ok: false, reason: 'UNKNOWN_FIELDS', paths: ['annexes[0].flows'] });
    expect(mergeSection(content, parseSectionId(`annex:${BYTES_IDS.riverside}:dpia`)!, { dpia: {} })).toEqual({ ok: false, reason: 'ANNEX_NOT_FOUND' });
    expect(mergeSection(content, parseSectionId(`annex:${BYTES_IDS.directCareAnnex}:dpia`)!, [])).toEqual({ ok: false, reason: 'NOT_AN_OBJECT', path: 'annexes[0]' });
  });
});
