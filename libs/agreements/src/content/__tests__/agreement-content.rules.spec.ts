import {
  DataRole,
  DataSharingAnnexKind,
  DataSubjectCategory,
  DistributionBasis,
  DsptStatus,
  PayeeArrangement,
} from '../agreement-content.enums';
import { currentDsptYear, validateAgreementContent } from '../agreement-content.rules';
import type { AgreementContent, ContentValidationResult, ValidationContext } from '../agreement-content.types';
import {
  BYTES_IDS,
  buildDirectCareAnnex,
  buildProcessorAnnex,
  buildValidContent,
  buildValidationContext,
} from './content.factory';

const RIVERSIDE = BYTES_IDS.riverside;
const CASTLE = BYTES_IDS.castleStreet;
const HILLVIEW = BYTES_IDS.hillview;
const NORTHGATE = BYTES_IDS.northgate;
const TRUST = BYTES_IDS.communityTrust;
const FEDERATION = BYTES_IDS.federation;
const UNKNOWN = '00000000-0000-4000-8000-00000000dead';

function check(mutate: (content: AgreementContent) => void = () => undefined, ctx: Partial<ValidationContext> = {}): ContentValidationResult {
  const content = buildValidContent();
  mutate(content);
  return validateAgreementContent(content, buildValidationContext(ctx));
}

const annex = (content: AgreementContent) => content.annexes[0];

describe('validateAgreementContent', () => {
  it('finds no errors and no warnings in the complete Bytes PCN agreement', () => {
    expect(check()).toEqual({ errors: {}, warnings: {} });
  });

  it('stays valid with an Article 28 annex for a processor listed in Schedule 7', () => {
    const result = check((c) => {
      c.schedules.nonGpArrangements.push({ ...c.schedules.nonGpArrangements[0], organisationId: FEDERATION });
      c.annexes.push(buildProcessorAnnex());
    });
    expect(result.errors).toEqual({});
  });

  it('does not throw on stored drafts missing optional arrays', () => {
    const content = buildValidContent() as any;
    delete content.schedules.activities;
    delete content.schedules.workforce;
    delete content.annexes[0].flows;
    delete content.annexes[0].securityMeasures;
    expect(() => validateAgreementContent(content, buildValidationContext())).not.toThrow();
  });

  describe('agreement dates and mandatory text', () => {
    it('rejects a financial year that is not two consecutive years', () => {
      const { errors } = check((c) => (c.financialYear = '2026/28'));
      expect(errors.financialYear).toEqual([expect.stringContaining('for example 2026/27')]);
    });

    it('warns when the agreement starts outside its financial year', () => {
      const { errors, warnings } = check((c) => (c.effectiveFrom = '2027-04-01'));
      expect(warnings.effectiveFrom).toEqual([expect.stringContaining('outside the 2026/27 financial year')]);
      expect(errors).toEqual({});
    });

    it('rejects a blank replacement for either editable dispute clause', () => {
      const { errors } = check((c) => (c.disputeClauseOverrides = { meetingClause: '  ', lmcReferralClause: '' }));
      expect(errors['disputeClauseOverrides.meetingClause']).toHaveLength(1);
      expect(errors['disputeClauseOverrides.lmcReferralClause']).toEqual([expect.stringContaining('Local Medical Committee')]);
    });

    it('accepts real replacement dispute wording', () => {
      const { errors } = check((c) => (c.disputeClauseOverrides = { meetingClause: 'We will meet within ten working days.' }));
      expect(errors).toEqual({});
    });
  });

  describe('Schedule 1: key details', () => {
    it('requires at least one core practice', () => {
      const { errors } = check((c) => (c.schedules.keyDetails.corePractices = []));
      expect(errors['schedules.keyDetails.corePractices']).toEqual([expect.stringContaining('at least one core practice')]);
    });

    it('rejects a core practice that is not a current member, and a duplicate', () => {
      const { errors } = check((c) => {
        const practices = c.schedules.keyDetails.corePractices!;
        practices.push({ ...practices[0] });
        practices.push({ ...practices[1], organisationId: UNKNOWN, name: 'Old Mill Surgery' });
      });
      expect(errors['schedules.keyDetails.corePractices[4].organisationId']).toEqual([expect.stringContaining('more than once')]);
      expect(errors['schedules.keyDetails.corePractices[5].organisationId']).toEqual([
        expect.stringContaining('“Old Mill Surgery” (A81002) is not a current core member'),
      ]);
    });

    it('only warns when the combined list size is below 30,000', () => {
      const { errors, warnings } = check((c) => (c.schedules.keyDetails.corePractices = c.schedules.keyDetails.corePractices!.slice(0, 2)));
      expect(warnings['schedules.keyDetails.corePractices']).toEqual([expect.stringContaining('21,000 registered patients')]);
      expect(errors['schedules.keyDetails.corePractices']).toBeUndefined();
    });

    it('warns when the combined list size is above 50,000', () => {
      const { warnings } = check((c) => (c.schedules.keyDetails.corePractices![0].listSize = 30_000));
      expect(warnings['schedules.keyDetails.corePractices']).toEqual([expect.stringContaining('57,500')]);
    });

    it('does not warn about list size when a commissioner exception is recorded', () => {
      const { warnings } = check((c) => {
        c.schedules.keyDetails.corePractices![0].listSize = 30_000;
        c.schedules.keyDetails.listSizeException = { reference: 'ICB-2026-14', approvedOn: '2026-02-01', reason: 'Rural area' };
      });
      expect(warnings['schedules.keyDetails.corePractices']).toBeUndefined();
    });

    it('rejects clinical director sessions of zero', () => {
      const { errors } = check((c) => (c.schedules.keyDetails.clinicalDirector.sessionsPerWeek = 0));
      expect(errors['schedules.keyDetails.clinicalDirector.sessionsPerWeek']).toEqual([expect.stringContaining('Dr Asha Patel')]);
    });

    it('requires a nominated payee practice to be a member practice', () => {
      const notMember = check((c) => (c.schedules.keyDetails.payee.organisationId = TRUST)).errors;
      const missing = check((c) => delete c.schedules.keyDetails.payee.organisationId).errors;
      expect(notMember['schedules.keyDetails.payee.organisationId']).toEqual([
        expect.stringContaining('“Bytesford Community Health NHS Trust” is not a core practice'),
      ]);
      expect(missing['schedules.keyDetails.payee.organisationId']).toEqual([expect.stringContaining('Choose which member practice')]);
    });

    it('requires another-provider payees to be known organisations', () => {
      const unknown = check((c) => {
        c.schedules.keyDetails.payee = { arrangement: PayeeArrangement.OTHER_PROVIDER, organisationId: UNKNOWN };
        delete c.schedules.finances.payeeOrganisationId;
      }).errors;
      const federation = check((c) => {
        c.schedules.keyDetails.payee = { arrangement: PayeeArrangement.OTHER_PROVIDER, organisationId: FEDERATION };
        c.schedules.finances.payeeOrganisationId = FEDERATION;
      }).errors;
      expect(unknown['schedules.keyDetails.payee.organisationId']).toEqual([expect.stringContaining('not an organisation registered')]);
      expect(federation).toEqual({});
    });

    it('requires the bank account name when the PCN has its own account', () => {
      const { errors } = check((c) => {
        c.schedules.keyDetails.payee = { arrangement: PayeeArrangement.PCN_OWN_ACCOUNT };
        delete c.schedules.finances.payeeOrganisationId;
      });
      expect(Object.keys(errors)).toEqual(['schedules.keyDetails.payee.bankAccountName']);
    });

    it('rejects a quorum larger than the number of core practices', () => {
      const { errors } = check((c) => (c.schedules.keyDetails.governance.quorum.minimumPractices = 5));
      expect(errors['schedules.keyDetails.governance.quorum.minimumPractices']).toEqual([
        expect.stringContaining('quorum of 5 practices is more than the 4 core practices'),
      ]);
    });

    it('rejects a quorum stated neither as a number nor in words', () => {
      const { errors } = check((c) => (c.schedules.keyDetails.governance.quorum = { description: ' ' }));
      expect(errors['schedules.keyDetails.governance.quorum']).toHaveLength(1);
    });
  });

  describe('Schedule 3: activities', () => {
    it('rejects the same service specification listed twice', () => {
      const { errors } = check((c) => c.schedules.activities.push({ ...c.schedules.activities[0] }));
      expect(errors['schedules.activities[3].specification']).toEqual([
        expect.stringContaining('Structured Medication Review and Medicines Optimisation appears more than once'),
      ]);
    });

    it('rejects delivery by an organisation that is neither a member nor in Schedule 7', () => {
      const { errors } = check((c) => c.schedules.activities[1].deliveredBy.push(FEDERATION));
      expect(errors['schedules.activities[1].deliveredBy[2]']).toEqual([expect.stringContaining('“Bytesford GP Federation” delivers Anticipatory Care')]);
    });

    it('requires someone to deliver each activity', () => {
      const { errors } = check((c) => (c.schedules.activities[0].deliveredBy = []));
      expect(errors['schedules.activities[0].deliveredBy']).toHaveLength(1);
    });

    it('requires the CQC-registered provider for a subcontracted service', () => {
      const { errors } = check((c) => (c.schedules.activities[1].subcontracted = true));
      expect(errors['schedules.activities[1].cqcRegisteredProviderId']).toEqual([expect.stringContaining('Anticipatory Care is subcontracted')]);
    });

    it('rejects an unknown CQC-registered provider', () => {
      const { errors } = check((c) => (c.schedules.activities[2].cqcRegisteredProviderId = UNKNOWN));
      expect(errors['schedules.activities[2].cqcRegisteredProviderId']).toHaveLength(1);
    });
  });

  describe('Schedule 4: finances', () => {
    const custom = (shares: { organisationId: string; percentage: number }[]) => (c: AgreementContent) => {
      c.schedules.finances.distributionBasis = DistributionBasis.CUSTOM_PERCENTAGES;
      c.schedules.finances.shares = shares;
    };

    it('accepts custom percentages that total 100 within float error', () => {
      const percentages = [12.1, 25.3, 33.3, 29.3];
      // Guard: this set really does suffer float error, so the tolerance is exercised.
      expect(percentages.reduce((sum, p) => sum + p, 0)).not.toBe(100);
      const { errors } = check(custom([RIVERSIDE, CASTLE, HILLVIEW, NORTHGATE].map((organisationId, i) => ({ organisationId, percentage: percentages[i] }))));
      expect(errors).toEqual({});
    });

    it.each([[99], [100.02]])('rejects custom percentages totalling %s', (last) => {
      const { errors } = check(
        custom([
          { organisationId: RIVERSIDE, percentage: 50 },
          { organisationId: CASTLE, percentage: last - 50 },
        ]),
      );
      expect(errors['schedules.finances.shares']).toEqual([expect.stringContaining(`add up to ${last}%`)]);
    });

    it('requires shares when custom percentages are chosen', () => {
      const { errors } = check(custom([]));
      expect(errors['schedules.finances.shares']).toEqual([expect.stringContaining('set the percentage each member practice receives')]);
    });

    it('rejects a share for a non-member and a duplicate share', () => {
      const { errors } = check(
        custom([
          { organisationId: RIVERSIDE, percentage: 40 },
          { organisationId: TRUST, percentage: 20 },
          { organisationId: RIVERSIDE, percentage: 40 },
        ]),
      );
      expect(errors['schedules.finances.shares[1].organisationId']).toEqual([expect.stringContaining('cannot receive a share')]);
      expect(errors['schedules.finances.shares[2].organisationId']).toEqual([expect.stringContaining('more than one share')]);
      expect(errors['schedules.finances.shares']).toBeUndefined();
    });

    it('warns that shares are ignored unless custom percentages are chosen', () => {
      const { warnings } = check((c) => (c.schedules.finances.shares = [{ organisationId: RIVERSIDE, percentage: 100 }]));
      expect(warnings['schedules.finances.shares']).toEqual([expect.stringContaining('by weighted list size')]);
    });

    it('rejects a Schedule 4 payee that differs from Schedule 1', () => {
      const { errors } = check((c) => (c.schedules.finances.payeeOrganisationId = CASTLE));
      expect(errors['schedules.finances.payeeOrganisationId']).toEqual([
        expect.stringContaining('Schedule 4 names “Castle Street Surgery” as the payee, but Schedule 1 names “Riverside Medical Centre”'),
      ]);
    });

    it('warns about empty timing, liability and banking terms', () => {
      const { warnings, errors } = check((c) => {
        c.schedules.finances.distributionTiming = '';
        c.schedules.finances.liabilitySharing = ' ';
        c.schedules.finances.bankingArrangements = '';
      });
      expect(Object.keys(warnings).sort()).toEqual([
        'schedules.finances.bankingArrangements',
        'schedules.finances.distributionTiming',
        'schedules.finances.liabilitySharing',
      ]);
      expect(errors).toEqual({});
    });
  });

  describe('Schedule 5: workforce', () => {
    it.each([[0], [1.2], [-0.5]])('rejects an ARRS post of %s WTE', (wte) => {
      const { errors } = check((c) => (c.schedules.workforce.arrsPosts[1].wte = wte));
      expect(errors['schedules.workforce.arrsPosts[1].wte']).toEqual([expect.stringContaining('social prescribing link worker post')]);
    });

    it('accepts exactly 1 WTE', () => {
      expect(check((c) => (c.schedules.workforce.arrsPosts[1].wte = 1)).errors).toEqual({});
    });

    it('rejects a host practice that is not a member, and a post with no host', () => {
      const notMember = check((c) => c.schedules.workforce.arrsPosts[0].hostPracticeIds.push(TRUST)).errors;
      const none = check((c) => (c.schedules.workforce.arrsPosts[0].hostPracticeIds = [])).errors;
      expect(notMember['schedules.workforce.arrsPosts[0].hostPracticeIds[2]']).toEqual([
        expect.stringContaining('“Bytesford Community Health NHS Trust” is named as host of the clinical pharmacist post'),
      ]);
      expect(none['schedules.workforce.arrsPosts[0].hostPracticeIds']).toHaveLength(1);
    });

    it('rejects an employer that is not a known organisation', () => {
      const { errors } = check((c) => (c.schedules.workforce.arrsPosts[0].employerOrganisationId = UNKNOWN));
      expect(errors['schedules.workforce.arrsPosts[0].employerOrganisationId']).toHaveLength(1);
    });
  });

  describe('Schedule 7: non-GP arrangements', () => {
    it('rejects a core practice listed as an outside organisation', () => {
      const { errors } = check((c) => c.schedules.nonGpArrangements.push({ ...c.schedules.nonGpArrangements[0], organisationId: HILLVIEW }));
      expect(errors['schedules.nonGpArrangements[1].organisationId']).toEqual([expect.stringContaining('“Hillview Practice” is a core practice')]);
    });

    it('rejects an unknown organisation and a duplicate entry', () => {
      const { errors } = check((c) => {
        const first = c.schedules.nonGpArrangements[0];
        c.schedules.nonGpArrangements.push({ ...first, organisationId: UNKNOWN }, { ...first });
      });
      expect(errors['schedules.nonGpArrangements[1].organisationId']).toEqual([expect.stringContaining('not registered on the platform')]);
      expect(errors['schedules.nonGpArrangements[2].organisationId']).toEqual([expect.stringContaining('more than one entry')]);
    });

    it('rejects an end date on or before the start date', () => {
      const { errors } = check((c) => (c.schedules.nonGpArrangements[0].endDate = '2026-04-01'));
      expect(errors['schedules.nonGpArrangements[0].endDate']).toEqual([expect.stringContaining('ends on 1 April 2026')]);
    });
  });

  describe('annex parties', () => {
    it('rejects a party that is neither a member practice nor in Schedule 7', () => {
      const { errors } = check((c) => annex(c).parties.push({ ...annex(c).parties[4], organisationId: FEDERATION }));
      expect(errors['annexes[0].parties[5].organisationId']).toEqual([
        expect.stringContaining('“Bytesford GP Federation” is a party to annex “Direct care and ARRS workforce data sharing” but is neither'),
      ]);
    });

    it('rejects the same organisation listed twice', () => {
      const { errors } = check((c) => annex(c).parties.push({ ...annex(c).parties[0] }));
      expect(errors['annexes[0].parties[5].organisationId']).toEqual([expect.stringContaining('more than once')]);
    });

    it('requires an Article 28 annex covering each processor, on the party path', () => {
      const { errors } = check((c) => {
        c.schedules.nonGpArrangements.push({ ...c.schedules.nonGpArrangements[0], organisationId: FEDERATION });
        annex(c).parties.push({ ...annex(c).parties[4], organisationId: FEDERATION, dataRole: DataRole.PROCESSOR });
      });
      expect(errors['annexes[0].parties[5]']).toEqual([
        expect.stringContaining('needs an Article 28 data processing agreement annex that names “Bytesford GP Federation” as processor'),
      ]);
    });

    it('accepts a processor or sub-processor once an Article 28 annex names it', () => {
      const { errors } = check((c) => {
        c.schedules.nonGpArrangements.push({ ...c.schedules.nonGpArrangements[0], organisationId: FEDERATION });
        annex(c).parties.push({ ...annex(c).parties[4], organisationId: FEDERATION, dataRole: DataRole.SUB_PROCESSOR });
        c.annexes.push(buildProcessorAnnex());
      });
      expect(errors).toEqual({});
    });

    it('does not accept a controller-to-processor relationship covered only by a non-Article 28 annex', () => {
      const { errors } = check((c) => {
        c.schedules.nonGpArrangements.push({ ...c.schedules.nonGpArrangements[0], organisationId: FEDERATION });
        const other = { ...buildProcessorAnnex(), kind: DataSharingAnnexKind.INDEPENDENT_CONTROLLER_DSA };
        c.annexes.push(other);
      });
      expect(errors['annexes[1].parties[1]']).toEqual([expect.stringContaining('Article 28')]);
    });

    it('requires an Article 28 annex to have a controller and a processor', () => {
      const { errors } = check((c) => {
        c.schedules.nonGpArrangements.push({ ...c.schedules.nonGpArrangements[0], organisationId: FEDERATION });
        const dpa = buildProcessorAnnex();
        dpa.parties[0].dataRole = DataRole.SUB_PROCESSOR;
        dpa.parties[1].dataRole = DataRole.SUB_PROCESSOR;
        c.annexes.push(dpa);
      });
      expect(errors['annexes[1].parties']).toEqual([
        expect.stringContaining('at least one controller'),
        expect.stringContaining('at least one processor'),
      ]);
    });

    it('requires at least two joint controllers in a joint-controller DSA', () => {
      const { errors } = check((c) => annex(c).parties.slice(1).forEach((p) => (p.dataRole = DataRole.CONTROLLER)));
      expect(errors['annexes[0].parties']).toEqual([expect.stringContaining('at least two parties must be joint controllers')]);
    });

    it('requires at least two controllers in an independent-controller DSA', () => {
      const { errors } = check((c) => {
        annex(c).kind = DataSharingAnnexKind.INDEPENDENT_CONTROLLER_DSA;
        annex(c).parties.forEach((p, i) => (p.dataRole = i === 0 ? DataRole.CONTROLLER : DataRole.JOINT_CONTROLLER));
      });
      expect(errors['annexes[0].parties']).toEqual([expect.stringContaining('at least two parties must be controllers')]);
    });

    it('requires a joint-controller DSA to name who handles rights requests and a privacy notice', () => {
      const { errors } = check((c) => {
        delete annex(c).rightsRequestsHandledBy;
        delete annex(c).privacyNoticeUrl;
      });
      expect(errors['annexes[0].rightsRequestsHandledBy']).toEqual([expect.stringContaining('rights requests')]);
      expect(errors['annexes[0].privacyNoticeUrl']).toEqual([expect.stringContaining('privacy notice')]);
    });

    it('rejects a rights-request handler that is not a party to the annex', () => {
      const { errors } = check((c) => (annex(c).rightsRequestsHandledBy = FEDERATION));
      expect(errors['annexes[0].rightsRequestsHandledBy']).toEqual([expect.stringContaining('“Bytesford GP Federation” is named to handle rights requests')]);
    });

    it('requires a DPO contact for every controller', () => {
      const { errors } = check((c) => delete annex(c).parties[2].dpo);
      expect(errors['annexes[0].parties[2].dpo']).toEqual([expect.stringContaining('“Hillview Practice” is a controller')]);
    });

    it('does not require a DPO from a processor', () => {
      const { errors } = check((c) => {
        c.schedules.nonGpArrangements.push({ ...c.schedules.nonGpArrangements[0], organisationId: FEDERATION });
        const dpa = buildProcessorAnnex();
        delete dpa.parties[1].dpo;
        c.annexes.push(dpa);
      });
      expect(errors).toEqual({});
    });

    it('requires a Caldicott Guardian for controllers when patients are data subjects', () => {
      const { errors } = check((c) => delete annex(c).parties[4].caldicottGuardian);
      expect(errors['annexes[0].parties[4].caldicottGuardian']).toEqual([
        expect.stringContaining('covers patient data, so give the name and email of “Bytesford Community Health NHS Trust”’s Caldicott Guardian'),
      ]);
    });

    it('does not require a Caldicott Guardian when no patient data is shared', () => {
      const { errors } = check((c) => {
        annex(c).dataSubjects = [DataSubjectCategory.STAFF];
        delete annex(c).parties[4].caldicottGuardian;
      });
      expect(errors).toEqual({});
    });

    it('rejects a party with no published DSPT assessment', () => {
      const { errors } = check((c) => (annex(c).parties[4].dsptStatus = DsptStatus.NOT_PUBLISHED));
      expect(errors['annexes[0].parties[4].dsptStatus']).toEqual([expect.stringContaining('has not published a Data Security and Protection Toolkit')]);
    });

    it('only warns for DSPT "Approaching Standards"', () => {
      const { errors, warnings } = check((c) => (annex(c).parties[1].dsptStatus = DsptStatus.APPROACHING));
      expect(warnings['annexes[0].parties[1].dsptStatus']).toEqual([expect.stringContaining('action plan')]);
      expect(errors).toEqual({});
    });

    it('warns when DSPT status is not recorded or the assessment year is stale', () => {
      const { warnings } = check(
        (c) => {
          delete annex(c).parties[0].dsptStatus;
          annex(c).parties[1].dsptYear = '2023-24';
        },
        { today: '2026-11-22' },
      );
      expect(warnings['annexes[0].parties[0].dsptStatus']).toHaveLength(1);
      expect(warnings['annexes[0].parties[1].dsptYear']).toEqual([expect.stringContaining('is for 2023-24, but the 2025-26 assessment is now due')]);
    });

    it('knows which DSPT year is current around the 30 June deadline', () => {
      expect(currentDsptYear('2026-06-30')).toBe('2024-25');
      expect(currentDsptYear('2026-07-01')).toBe('2025-26');
    });
  });

  describe('annex purposes and data', () => {
    it('requires an Article 9 and a Schedule 1 condition on every purpose when data is special-category', () => {
      const { errors } = check((c) => {
        annex(c).dataItems = annex(c).dataItems.slice(0, 2);
        delete annex(c).purposes[1].art9Condition;
        delete annex(c).purposes[1].dpaSchedule1Condition;
      });
      expect(errors['annexes[0].purposes[1].art9Condition']).toEqual([
        'Data item “Diagnoses” is special-category data, so purpose 2 needs an Article 9 condition.',
      ]);
      expect(errors['annexes[0].purposes[1].dpaSchedule1Condition']).toEqual([
        'Data item “Diagnoses” is special-category data, so purpose 2 needs a Data Protection Act 2018 Schedule 1 condition.',
      ]);
      expect(errors['annexes[0].purposes[0].art9Condition']).toBeUndefined();
    });

    it('names every special-category item in the message', () => {
      const { errors } = check((c) => delete annex(c).purposes[0].art9Condition);
      expect(errors['annexes[0].purposes[0].art9Condition']).toEqual([
        expect.stringContaining('Data items “Diagnoses”, “Medications” and “ARRS staff rota and sickness absence” are special-category data'),
      ]);
    });

    it('warns when an Article 9 condition is given but no data is special-category', () => {
      const { errors, warnings } = check((c) => annex(c).dataItems.forEach((item) => (item.specialCategory = false)));
      expect(warnings['annexes[0].purposes[0].art9Condition']).toHaveLength(1);
      expect(warnings['annexes[0].purposes[1].art9Condition']).toHaveLength(1);
      expect(errors).toEqual({});
    });

    it('requires a Schedule 1 condition for criminal-offence data', () => {
      const { errors } = check((c) => {
        annex(c).dataItems = [{ name: 'Police disclosures', justification: 'Safeguarding', specialCategory: false, criminalOffence: true }];
        annex(c).purposes.forEach((p) => delete p.art9Condition);
        delete annex(c).purposes[0].dpaSchedule1Condition;
      });
      expect(errors['annexes[0].purposes[0].dpaSchedule1Condition']).toEqual([
        expect.stringContaining('Data item “Police disclosures” is criminal-offence data'),
      ]);
    });

    it('requires purposes, data subjects and data items', () => {
      const { errors } = check((c) => {
        annex(c).purposes = [];
        annex(c).dataSubjects = [];
        annex(c).dataItems = [];
      });
      expect(errors).toEqual({
        'annexes[0].purposes': [expect.any(String)],
        'annexes[0].dataSubjects': [expect.any(String)],
        'annexes[0].dataItems': [expect.any(String)],
      });
    });

    it('requires a justification for each data item', () => {
      const { errors } = check((c) => (annex(c).dataItems[1].justification = ''));
      expect(errors['annexes[0].dataItems[1].justification']).toEqual([expect.stringContaining('Explain why data item “Diagnoses” is needed')]);
    });
  });

  describe('annex flows', () => {
    it('rejects flows to or from organisations that are not parties', () => {
      const { errors } = check((c) => {
        annex(c).flows[0].fromOrganisationId = FEDERATION;
        annex(c).flows[1].toOrganisationId = UNKNOWN;
      });
      expect(errors['annexes[0].flows[0].fromOrganisationId']).toEqual([expect.stringContaining('starts at “Bytesford GP Federation”')]);
      expect(errors['annexes[0].flows[1].toOrganisationId']).toEqual([expect.stringContaining('not a party to this annex')]);
    });

    it('rejects a flow from an organisation to itself', () => {
      const { errors } = check((c) => (annex(c).flows[0].toOrganisationId = RIVERSIDE));
      expect(errors['annexes[0].flows[0].toOrganisationId']).toEqual([expect.stringContaining('to itself')]);
    });

    it('warns about unencrypted flows', () => {
      const { warnings } = check((c) => (annex(c).flows[1].encrypted = false));
      expect(warnings['annexes[0].flows[1].encrypted']).toEqual([expect.stringContaining('SystmOne')]);
    });
  });

  describe('annex retention, security, DPIA and breach reporting', () => {
    it('requires retention to be set', () => {
      const { errors } = check((c) => delete annex(c).retention);
      expect(errors['annexes[0].retention']).toHaveLength(1);
    });

    it('requires each part of retention', () => {
      const { errors } = check((c) => (annex(c).retention = { period: '', rule: 'NHS Records Management Code', disposalMethod: ' ' }));
      expect(Object.keys(errors).sort()).toEqual(['annexes[0].retention.disposalMethod', 'annexes[0].retention.period']);
    });

    it('warns when no security measures are listed', () => {
      const { warnings } = check((c) => (annex(c).securityMeasures = []));
      expect(warnings['annexes[0].securityMeasures']).toHaveLength(1);
    });

    it('requires reference, date and outcome when a DPIA is required', () => {
      const { errors } = check((c) => (annex(c).dpia = { required: true }));
      expect(Object.keys(errors).sort()).toEqual(['annexes[0].dpia.date', 'annexes[0].dpia.outcome', 'annexes[0].dpia.reference']);
    });

    it('requires a screening summary when no DPIA is required', () => {
      const missing = check((c) => (annex(c).dpia = { required: false })).errors;
      const screened = check((c) => (annex(c).dpia = { required: false, screeningSummary: 'Low-risk staff rota only.' })).errors;
      expect(missing['annexes[0].dpia.screeningSummary']).toHaveLength(1);
      expect(screened).toEqual({});
    });

    it.each([[0], [73], [2.5]])('rejects a breach notification period of %s hours', (hours) => {
      const { errors } = check((c) => (annex(c).breachNotificationHours = hours));
      expect(errors['annexes[0].breachNotificationHours']).toEqual([expect.stringContaining(`${hours} hours is not allowed`)]);
    });

    it('accepts 1 hour, and warns that 72 hours leaves no time before the ICO deadline', () => {
      expect(check((c) => (annex(c).breachNotificationHours = 1))).toEqual({ errors: {}, warnings: {} });
      const { errors, warnings } = check((c) => (annex(c).breachNotificationHours = 72));
      expect(errors).toEqual({});
      expect(warnings['annexes[0].breachNotificationHours']).toHaveLength(1);
    });
  });

  describe('annex dates', () => {
    it('rejects a review date on or before the start date', () => {
      const { errors } = check((c) => (annex(c).reviewBy = '2026-04-01'));
      expect(errors['annexes[0].reviewBy']).toEqual([expect.stringContaining('must be after it starts on 1 April 2026')]);
    });

    it('accepts a review exactly 12 months after the start and warns beyond that', () => {
      expect(check((c) => (annex(c).reviewBy = '2027-04-01')).warnings).toEqual({});
      const { warnings, errors } = check((c) => (annex(c).reviewBy = '2027-04-02'));
      expect(warnings['annexes[0].reviewBy']).toEqual([expect.stringContaining('more than 12 months after it starts')]);
      expect(errors).toEqual({});
    });

    it('warns when the review date has passed', () => {
      const { warnings } = check(undefined, { today: '2027-04-15' });
      expect(warnings['annexes[0].reviewBy']).toEqual([expect.stringContaining('review is overdue')]);
    });

    it('rejects an end date on or before the start date', () => {
      const { errors } = check((c) => (annex(c).endOn = '2026-03-31'));
      expect(errors['annexes[0].endOn']).toEqual([expect.stringContaining('ends on 31 March 2026')]);
    });

    it('rejects two annexes with the same id', () => {
      const { errors } = check((c) => c.annexes.push({ ...buildDirectCareAnnex(), title: 'Copy' }));
      expect(errors['annexes[1].id']).toEqual([expect.stringContaining('Annex “Copy” has the same id as annex 1')]);
    });
  });
});
