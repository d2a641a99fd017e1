import { isUUID } from 'class-validator';
import { applyContentDefaults } from '../agreement-content.defaults';
import { addMonths } from '../date-only';
import { BYTES_IDS, buildDirectCareAnnex, buildValidContent } from './content.factory';

describe('applyContentDefaults', () => {
  function withBareAnnex(effectiveFrom = '2026-04-01') {
    const annex = { ...buildDirectCareAnnex(), effectiveFrom };
    delete annex.id;
    delete annex.reviewBy;
    return buildValidContent({ annexes: [annex] });
  }

  it('assigns a fresh UUID to annexes without one', () => {
    const first = applyContentDefaults(withBareAnnex()).annexes[0].id;
    const second = applyContentDefaults(withBareAnnex()).annexes[0].id;
    expect(isUUID(first)).toBe(true);
    expect(second).not.toBe(first);
  });

  it('defaults the review date to 12 months after the annex starts', () => {
    expect(applyContentDefaults(withBareAnnex('2026-04-01')).annexes[0].reviewBy).toBe('2027-04-01');
  });

  it('clamps a 29 February start to 28 February the next year', () => {
    expect(applyContentDefaults(withBareAnnex('2028-02-29')).annexes[0].reviewBy).toBe('2029-02-28');
  });

  it('keeps an existing id and review date', () => {
    const content = buildValidContent();
    const annex = applyContentDefaults(content).annexes[0];
    expect(annex.id).toBe(BYTES_IDS.directCareAnnex);
    expect(annex.reviewBy).toBe('2027-03-31');
  });

  it('does not mutate its input', () => {
    const content = withBareAnnex();
    const snapshot = JSON.parse(JSON.stringify(content));
    applyContentDefaults(content);
    expect(content).toEqual(snapshot);
  });
});

describe('addMonths', () => {
  it.each([
    ['2026-01-31', 1, '2026-02-28'],
    ['2026-11-15', 3, '2027-02-15'],
    ['2026-03-31', -1, '2026-02-28'],
  ])('%s + %i months = %s', (date, months, expected) => {
    expect(addMonths(date, months)).toBe(expected);
  });
});
