import { describeRevisionDiff, OrganisationNames, ReadableChange } from '../readable-diff';
import { Art6Basis, DataSubjectCategory, DistributionBasis, DsptStatus } from '../agreement-content.enums';
import type { AgreementContent } from '../agreement-content.types';
import { BYTES_COMMUNITY_TRUST, BYTES_FEDERATION, BYTES_IDS, BYTES_PRACTICES, buildProcessorAnnex, buildValidContent } from './content.factory';

const NAMES: OrganisationNames = {
  ...Object.fromEntries(BYTES_PRACTICES.map((p) => [p.organisationId, { name: p.name, odsCode: p.odsCode }])),
  [BYTES_COMMUNITY_TRUST.organisationId]: { name: BYTES_COMMUNITY_TRUST.name, odsCode: 'RX9' },
  [BYTES_FEDERATION.organisationId]: { name: BYTES_FEDERATION.name, odsCode: null },
};

function edited(edit: (c: AgreementContent) => void, base: AgreementContent = buildValidContent()): AgreementContent {
  const content = JSON.parse(JSON.stringify(base)) as AgreementContent;
  edit(content);
  return content;
}

const withShares = (percentages: number[]) =>
  edited((c) => {
    c.schedules.finances.distributionBasis = DistributionBasis.CUSTOM_PERCENTAGES;
    c.schedules.finances.shares = BYTES_PRACTICES.slice(0, percentages.length).map((p, i) => ({ organisationId: p.organisationId, percentage: percentages[i] }));
  });

const SCHEDULE_4 = 'Schedule 4 — Financial arrangements';
const ANNEX_A = 'Annex A — Direct care and ARRS workforce data sharing';
const change = (section: string, where: string, field: string, before: string, after: string, kind: ReadableChange['change'] = 'changed'): ReadableChange => ({
  section,
  where,
  field,
  change: kind,
  before,
  after,
});

describe('describeRevisionDiff', () => {
  it('is empty for equal content', () => {
    expect(describeRevisionDiff(buildValidContent(), buildValidContent(), NAMES)).toEqual([]);
  });

  it('names a changed share by schedule, row and practice, with percentages in words', () => {
    expect(describeRevisionDiff(withShares([25, 25, 25, 25]), withShares([25, 30, 20, 25]), NAMES)).toEqual([
      change(SCHEDULE_4, 'Practice shares, row 2 (Castle Street Surgery)', 'Percentage', '25%', '30%'),
      change(SCHEDULE_4, 'Practice shares, row 3 (Hillview Practice)', 'Percentage', '25%', '20%'),
    ]);
  });

  it('describes added and removed rows as such, with the whole row in words', () => {
    expect(describeRevisionDiff(withShares([50, 50]), withShares([50, 30, 20]), NAMES)).toEqual([
      change(SCHEDULE_4, 'Practice shares, row 2 (Castle Street Surgery)', 'Percentage', '50%', '30%'),
      change(SCHEDULE_4, 'Practice shares, row 3 (Hillview Practice)', 'Row added', 'Not set', 'Practice: Hillview Practice (A81003); Percentage: 20%', 'added'),
    ]);
    const withoutEnhancedAccess = edited((c) => c.schedules.activities.pop());
    expect(describeRevisionDiff(buildValidContent(), withoutEnhancedAccess, NAMES)).toEqual([
      change(
        'Schedule 3 — Activities',
        'Activities, row 3 (Enhanced Access)',
        'Row removed',
        'Service: Enhanced Access; Delivered by: Castle Street Surgery (A81002), Hillview Practice (A81003); Subcontracted: No; CQC-registered provider: Castle Street Surgery (A81002)',
        'Not set',
        'removed',
      ),
    ]);
  });

  it('prints enum values by their labels', () => {
    const after = withShares([25, 25, 25, 25]);
    expect(describeRevisionDiff(buildValidContent(), after, NAMES)[0]).toEqual(
      change(SCHEDULE_4, 'Financial arrangements', 'How funding is distributed', 'By weighted list size', 'By agreed percentages'),
    );
  });

  it('describes annex changes under "Annex A — <title>", grouped by the part of the annex', () => {
    const after = edited((c) => {
      const annex = c.annexes[0];
      annex.purposes[0].art6Basis = Art6Basis.A;
      delete annex.purposes[0].art9Condition;
      annex.parties[4].dsptStatus = DsptStatus.MET;
      annex.flows[1].encrypted = false;
      annex.breachNotificationHours = 12;
      annex.reviewBy = '2027-01-31';
      annex.dataSubjects.push(DataSubjectCategory.CARERS);
    });
    expect(describeRevisionDiff(buildValidContent(), after, NAMES)).toEqual([
      change(ANNEX_A, 'About this annex', 'Review by', '31 March 2027', '31 January 2027'),
      change(ANNEX_A, 'Parties, row 5 (Bytesford Community Health NHS Trust)', 'DSPT status', 'Standards exceeded', 'Standards met'),
      change(ANNEX_A, 'Purposes, row 1 (Direct care)', 'Article 6 lawful basis', 'Article 6(1)(e) — public task', 'Article 6(1)(a) — consent'),
      change(ANNEX_A, 'Purposes, row 1 (Direct care)', 'Article 9 condition', 'Article 9(2)(h) — health or social care', 'Not set', 'removed'),
      change(ANNEX_A, 'Whose data and which data items', 'Whose data', 'Patients, ARRS staff', 'Patients, ARRS staff, Carers'),
      change(ANNEX_A, 'Data flows, row 2 (Bytesford Community Health NHS Trust to Castle Street Surgery)', 'Encrypted in transit', 'Yes', 'No'),
      change(ANNEX_A, 'Retention, security and breach reporting', 'Breach notification between parties', '24 hours', '12 hours'),
    ]);
  });

  it('prints dates in words, organisations by name and ODS code, numbers and optional objects in words', () => {
    const after = edited((c) => {
      c.effectiveFrom = '2026-05-01';
      c.disputeClauseOverrides = { meetingClause: 'Within ten days.' };
      c.schedules.keyDetails.clinicalDirector.name = 'Dr Ben Carter';
      c.schedules.keyDetails.clinicalDirector.sessionsPerWeek = 3.5;
      c.schedules.keyDetails.payee.organisationId = BYTES_IDS.castleStreet;
    });
    expect(describeRevisionDiff(buildValidContent(), after, NAMES)).toEqual([
      change('Agreement details', 'Agreement details', 'Start date', '1 April 2026', '1 May 2026'),
      change('Agreement details', 'Agreement details', 'Dispute resolution wording', 'Not set', 'Members’ meeting clause (11.1): Within ten days.', 'added'),
      change('Schedule 1 — Key network details and governance', 'Clinical director', 'Name', 'Dr Asha Patel', 'Dr Ben Carter'),
      change('Schedule 1 — Key network details and governance', 'Clinical director', 'Sessions per week', '2', '3.5'),
      change('Schedule 1 — Key network details and governance', 'Payee', 'Payee organisation', 'Riverside Medical Centre (A81001)', 'Castle Street Surgery (A81002)'),
    ]);
  });

  it('lists of organisations, booleans as Yes/No, and organisations without an ODS code or not in the directory', () => {
    const unknownId = '00000000-0000-4000-8000-0000000000ff';
    const after = edited((c) => {
      c.schedules.workforce.arrsPosts[0].hostPracticeIds.push(BYTES_IDS.hillview);
      c.schedules.nonGpArrangements[0].votingRights = true;
      c.schedules.workforce.arrsPosts[1].employerOrganisationId = BYTES_IDS.federation;
      c.schedules.activities[0].cqcRegisteredProviderId = unknownId;
    });
    const lines = describeRevisionDiff(buildValidContent(), after, NAMES);
    expect(lines).toContainEqual(
      change(
        'Schedule 5 — Workforce',
        'ARRS posts, row 1 (Clinical pharmacist)',
        'Host practices',
        'Riverside Medical Centre (A81001), Castle Street Surgery (A81002)',
        'Riverside Medical Centre (A81001), Castle Street Surgery (A81002), Hillview Practice (A81003)',
      ),
    );
    expect(lines).toContainEqual(change('Schedule 7 — Arrangements with non-GP organisations', 'Arrangements with non-GP organisations, row 1 (Bytesford Community Health NHS Trust)', 'Voting rights', 'No', 'Yes'));
    expect(lines.find((l) => l.field === 'Employer')?.after).toBe('Bytesford GP Federation');
    const cqc = lines.find((l) => l.field === 'CQC-registered provider');
    expect(cqc?.after).toBe('An organisation not in the directory');
    expect(JSON.stringify(lines)).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
  });

  it('a whole annex added, removed or moved is one line each', () => {
    const dpa = buildProcessorAnnex();
    const withDpa = edited((c) => c.annexes.push(dpa));
    expect(describeRevisionDiff(buildValidContent(), withDpa, NAMES)).toEqual([
      change('Annex B — Federation processing for Enhanced Access bookings', 'Annex', 'Annex added', 'Not set', 'Federation processing for Enhanced Access bookings (Article 28 data processing agreement)', 'added'),
    ]);
    expect(describeRevisionDiff(withDpa, buildValidContent(), NAMES)).toEqual([
      change('Annex B — Federation processing for Enhanced Access bookings', 'Annex', 'Annex removed', 'Federation processing for Enhanced Access bookings (Article 28 data processing agreement)', 'Not set', 'removed'),
    ]);
    const moved = edited((c) => c.annexes.reverse(), withDpa);
    expect(describeRevisionDiff(withDpa, moved, NAMES)).toEqual([
      change(
        'Annexes',
        'Order of annexes',
        'Order',
        'Annex A — Direct care and ARRS workforce data sharing; Annex B — Federation processing for Enhanced Access bookings',
        'Annex A — Federation processing for Enhanced Access bookings; Annex B — Direct care and ARRS workforce data sharing',
      ),
    ]);
  });

  it('never shows a raw code or an id, whatever changes', () => {
    const after = edited((c) => {
      c.schedules.keyDetails.corePractices = [];
      c.annexes[0].parties = [];
      c.annexes[0].purposes = [];
    });
    const text = JSON.stringify(describeRevisionDiff(buildValidContent(), after, NAMES));
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(text).not.toMatch(/"[A-Z]+_[A-Z_]+"|JOINT_CONTROLLER|IMPLIED_CONSENT/);
    expect(text).toContain('List size: 9,800');
    expect(text).toContain('Legal form: Partnership');
    expect(text).toContain('Data Protection Officer: DPO for Riverside Medical Centre (dpo@riverside-medical-centre.example.nhs.uk)');
  });
});
