import { digestTasks, partLabel, samePart } from '../notifications/email-digest';
import { RequestScope, SignerCapacity } from '../rounds/signature-request.entity';

const ANNEXES = ['annex-a', 'annex-b'];
const req = (scope: RequestScope, annexId: string | null, capacity: SignerCapacity, organisationName: string, odsCode: string | null, annexTitle: string | null = null) => ({ scope, annexId, annexTitle, capacity, organisationName, odsCode });

describe('digestTasks', () => {
  it('puts one annex for several organisations in one task, naming each organisation by name and ODS code', () => {
    const tasks = digestTasks(
      ['Yarm Medical Practice|A81001', 'Eaglescliffe Medical Practice|A81002', 'Park Lane Surgery|A81004'].map((o) => {
        const [name, ods] = o.split('|');
        return req(RequestScope.Annex, 'annex-a', SignerCapacity.Dpo, name, ods, 'Direct care data sharing');
      }),
      ANNEXES,
    );
    expect(tasks).toEqual([
      { document: 'Annex A: Direct care data sharing', capacity: 'Data Protection Officer', organisations: ['Eaglescliffe Medical Practice (A81002)', 'Park Lane Surgery (A81004)', 'Yarm Medical Practice (A81001)'] },
    ]);
  });

  it('lists the agreement first, then each annex by its letter, per capacity', () => {
    const tasks = digestTasks(
      [
        req(RequestScope.Annex, 'annex-b', SignerCapacity.Partner, 'Yarm Medical Practice', 'A81001', 'Federated bookings'),
        req(RequestScope.Agreement, null, SignerCapacity.Partner, 'Yarm Medical Practice', 'A81001'),
        req(RequestScope.Annex, 'annex-a', SignerCapacity.Partner, 'Yarm Medical Practice', 'A81001', 'Direct care'),
      ],
      ANNEXES,
    );
    expect(tasks.map((t) => `${t.document} | ${t.capacity} | ${t.organisations.join(', ')}`)).toEqual([
      'The network agreement | Partner | Yarm Medical Practice (A81001)',
      'Annex A: Direct care | Partner | Yarm Medical Practice (A81001)',
      'Annex B: Federated bookings | Partner | Yarm Medical Practice (A81001)',
    ]);
  });

  it('names an organisation without an ODS code by name alone', () => {
    expect(digestTasks([req(RequestScope.Annex, 'annex-a', SignerCapacity.AuthorisedSignatory, 'Stockton Carers Trust', null, 'Direct care')], ANNEXES)[0].organisations).toEqual(['Stockton Carers Trust']);
  });
});

describe('partLabel and samePart', () => {
  it('labels the agreement and lettered annexes', () => {
    expect(partLabel({ scope: RequestScope.Agreement, annexId: null, annexTitle: null }, ANNEXES)).toBe('The network agreement');
    expect(partLabel({ scope: RequestScope.Annex, annexId: 'annex-b', annexTitle: 'Federated bookings' }, ANNEXES)).toBe('Annex B: Federated bookings');
  });

  it('treats the agreement as one part and each annex as its own', () => {
    const agreement = { scope: RequestScope.Agreement, annexId: null };
    const a = { scope: RequestScope.Annex, annexId: 'annex-a' };
    const b = { scope: RequestScope.Annex, annexId: 'annex-b' };
    expect(samePart(agreement, agreement)).toBe(true);
    expect(samePart(a, { ...a })).toBe(true);
    expect(samePart(a, b)).toBe(false);
    expect(samePart(a, agreement)).toBe(false);
    expect(samePart(agreement, a)).toBe(false);
  });
});
