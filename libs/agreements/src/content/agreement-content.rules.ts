import {
  DataRole,
  DataSharingAnnexKind,
  DataSubjectCategory,
  DistributionBasis,
  DsptStatus,
  PayeeArrangement,
} from './agreement-content.enums';
import { ARRS_ROLE_LABELS, DISTRIBUTION_BASIS_LABELS, SERVICE_SPECIFICATION_LABELS } from './agreement-content.labels';
import type {
  AgreementContent,
  Contact,
  ContentValidationResult,
  DataItem,
  DataSharingAnnex,
  FieldMessages,
  OfficerOnRecord,
  ValidationContext,
} from './agreement-content.types';
import { addMonths, formatDate, isDateOnly } from './date-only';

/**
 * Business rules for a Network Agreement draft (domain.md §2 and §6).
 *
 * Errors block submission for signature; warnings are shown but never block
 * (e.g. list size outside 30,000–50,000 is "warn, do not block" by business rule 2).
 * Paths use the request body's shape: `schedules.finances.shares[1].organisationId`,
 * `annexes[0].purposes[1].art9Condition`, so the UI can pin each message to its field.
 *
 * Expects content after `applyContentDefaults` and after the server has filled
 * `schedules.keyDetails.corePractices` from memberships. Tolerates missing optional
 * arrays so stored drafts written by older code never crash the validator.
 */

export const LIST_SIZE_MIN = 30_000;
export const LIST_SIZE_MAX = 50_000;
export const PERCENTAGE_TOLERANCE = 0.01;
export const MAX_BREACH_NOTIFICATION_HOURS = 72;

const CONTROLLER_ROLES: ReadonlySet<DataRole> = new Set([DataRole.CONTROLLER, DataRole.JOINT_CONTROLLER]);
const PROCESSOR_ROLES: ReadonlySet<DataRole> = new Set([DataRole.PROCESSOR, DataRole.SUB_PROCESSOR]);

class Messages {
  readonly errors: FieldMessages = {};
  readonly warnings: FieldMessages = {};

  error(path: string, message: string): void {
    (this.errors[path] ??= []).push(message);
  }

  warning(path: string, message: string): void {
    (this.warnings[path] ??= []).push(message);
  }
}

interface RuleScope {
  content: AgreementContent;
  ctx: ValidationContext;
  out: Messages;
  memberIds: ReadonlySet<string>;
  nonGpIds: ReadonlySet<string>;
  knownIds: ReadonlySet<string>;
  nameOf: (organisationId: string | undefined) => string;
}

export function validateAgreementContent(content: AgreementContent, ctx: ValidationContext): ContentValidationResult {
  const scope = ruleScope(content, ctx);
  const { out } = scope;
  const schedules = content.schedules;

  checkAgreementDates(scope);
  checkDisputeOverrides(scope);
  if (schedules) {
    checkKeyDetails(scope);
    checkActivities(scope);
    checkFinances(scope);
    checkWorkforce(scope);
    checkNonGpArrangements(scope);
  }
  checkAnnexes(scope);
  return { errors: out.errors, warnings: out.warnings };
}

/**
 * The rule for a revision bound for sealing (checked when it is sent for approval): every DPO
 * and Caldicott Guardian an annex names for a controller is the person the directory records
 * (`ctx.officersOnRecord`), so the sealed annex never names placeholder people. Errors keyed
 * by content path, e.g. `annexes[0].parties[2].dpo`.
 */
export function validateSealBoundOfficers(content: AgreementContent, ctx: ValidationContext & { officersOnRecord: OfficerOnRecord[] }): FieldMessages {
  const scope = ruleScope(content, ctx);
  (content.annexes ?? []).forEach((annex, i) => {
    const title = `annex “${annex.title}”`;
    (annex.parties ?? []).forEach((party, j) => {
      if (!CONTROLLER_ROLES.has(party.dataRole)) return;
      const path = `annexes[${i}].parties[${j}]`;
      const name = scope.nameOf(party.organisationId);
      checkOfficerOnRecord(scope, party.organisationId, 'DPO', party.dpo, `${path}.dpo`, name, title);
      checkOfficerOnRecord(scope, party.organisationId, 'CALDICOTT_GUARDIAN', party.caldicottGuardian, `${path}.caldicottGuardian`, name, title);
    });
  });
  return scope.out.errors;
}

function ruleScope(content: AgreementContent, ctx: ValidationContext): RuleScope {
  const out = new Messages();
  const schedules = content.schedules;
  const names = new Map<string, string>();
  for (const org of ctx.knownOrganisations) names.set(org.organisationId, org.name);
  for (const practice of schedules?.keyDetails?.corePractices ?? []) names.set(practice.organisationId, practice.name);
  for (const practice of ctx.memberPractices) names.set(practice.organisationId, practice.name);

  const memberIds = new Set(ctx.memberPractices.map((p) => p.organisationId));
  const scope: RuleScope = {
    content,
    ctx,
    out,
    memberIds,
    nonGpIds: new Set((schedules?.nonGpArrangements ?? []).map((a) => a.organisationId)),
    knownIds: new Set([...memberIds, ...ctx.knownOrganisations.map((o) => o.organisationId)]),
    nameOf: (id) => {
      if (!id) return 'an unnamed organisation';
      const name = names.get(id);
      return name ? `“${name}”` : `the organisation with id ${id}`;
    },
  };
  return scope;
}

function checkAgreementDates({ content, out }: RuleScope): void {
  const match = /^(\d{4})\/(\d{2})$/.exec(content.financialYear ?? '');
  if (!match) {
    out.error('financialYear', `The financial year “${content.financialYear ?? ''}” must be written like 2026/27.`);
    return;
  }
  const startYear = Number(match[1]);
  const expectedSuffix = String((startYear + 1) % 100).padStart(2, '0');
  if (match[2] !== expectedSuffix) {
    out.error(
      'financialYear',
      `The financial year “${content.financialYear}” must cover two consecutive years, for example ${startYear}/${expectedSuffix}.`,
    );
    return;
  }
  if (!isDateOnly(content.effectiveFrom)) return;
  const yearStart = `${startYear}-04-01`;
  const yearEnd = `${startYear + 1}-03-31`;
  if (content.effectiveFrom < yearStart || content.effectiveFrom > yearEnd) {
    out.warning(
      'effectiveFrom',
      `The agreement starts on ${formatDate(content.effectiveFrom)}, which is outside the ${content.financialYear} financial year (${formatDate(yearStart)} to ${formatDate(yearEnd)}).`,
    );
  }
}

function checkDisputeOverrides({ content, out }: RuleScope): void {
  const overrides = content.disputeClauseOverrides;
  if (!overrides) return;
  if (overrides.meetingClause !== undefined && !overrides.meetingClause.trim()) {
    out.error(
      'disputeClauseOverrides.meetingClause',
      'If we replace the dispute clause about a members’ meeting, the new wording cannot be blank. Remove the change to keep the standard wording.',
    );
  }
  if (overrides.lmcReferralClause !== undefined && !overrides.lmcReferralClause.trim()) {
    out.error(
      'disputeClauseOverrides.lmcReferralClause',
      'If we replace the dispute clause about referral to the Local Medical Committee, the new wording cannot be blank. Remove the change to keep the standard wording.',
    );
  }
}

function checkKeyDetails({ content, out, memberIds, knownIds, nameOf }: RuleScope): void {
  const keyDetails = content.schedules.keyDetails;
  const base = 'schedules.keyDetails';
  const core = keyDetails?.corePractices ?? [];

  if (core.length === 0) {
    out.error(`${base}.corePractices`, 'The agreement needs at least one core practice. Add the member practices to the network first.');
  }
  const seen = new Set<string>();
  core.forEach((practice, i) => {
    const path = `${base}.corePractices[${i}].organisationId`;
    if (seen.has(practice.organisationId)) {
      out.error(path, `“${practice.name}” is listed more than once as a core practice.`);
    }
    seen.add(practice.organisationId);
    if (!memberIds.has(practice.organisationId)) {
      out.error(path, `“${practice.name}” (${practice.odsCode}) is not a current core member of this network, so it cannot be listed in Schedule 1.`);
    }
  });

  if (core.length > 0 && !keyDetails.listSizeException) {
    const total = core.reduce((sum, practice) => sum + (practice.listSize ?? 0), 0);
    if (total < LIST_SIZE_MIN || total > LIST_SIZE_MAX) {
      out.warning(
        `${base}.corePractices`,
        `Our core practices have ${total.toLocaleString('en-GB')} registered patients in total; networks normally serve ${LIST_SIZE_MIN.toLocaleString('en-GB')} to ${LIST_SIZE_MAX.toLocaleString('en-GB')}. Record the commissioner’s agreement to this size if we have it.`,
      );
    }
  }
  if (!keyDetails) return;

  const director = keyDetails.clinicalDirector;
  if (director && !(Number.isFinite(director.sessionsPerWeek) && director.sessionsPerWeek > 0)) {
    out.error(
      `${base}.clinicalDirector.sessionsPerWeek`,
      `Say how many sessions a week the clinical director, ${director.name}, is funded for; it must be more than zero.`,
    );
  }

  const payee = keyDetails.payee;
  if (payee) {
    const path = `${base}.payee`;
    if (payee.arrangement === PayeeArrangement.NOMINATED_PRACTICE) {
      if (!payee.organisationId) {
        out.error(`${path}.organisationId`, 'Choose which member practice receives the network’s payments as nominated payee.');
      } else if (!memberIds.has(payee.organisationId)) {
        out.error(
          `${path}.organisationId`,
          `${nameOf(payee.organisationId)} is not a core practice of this network, so it cannot be the nominated payee practice. Choose a member practice, or choose another provider as payee.`,
        );
      }
    } else if (payee.arrangement === PayeeArrangement.OTHER_PROVIDER) {
      if (!payee.organisationId) {
        out.error(`${path}.organisationId`, 'Name the provider that receives the network’s payments on our behalf.');
      } else if (!knownIds.has(payee.organisationId)) {
        out.error(`${path}.organisationId`, `The payee, ${nameOf(payee.organisationId)}, is not an organisation registered on the platform.`);
      }
    } else if (payee.arrangement === PayeeArrangement.PCN_OWN_ACCOUNT && !payee.bankAccountName?.trim()) {
      out.error(`${path}.bankAccountName`, 'Give the name of the network’s own bank account that receives our payments.');
    }
  }

  const quorum = keyDetails.governance?.quorum;
  if (keyDetails.governance) {
    if (!quorum || (quorum.minimumPractices == null && !quorum.description?.trim())) {
      out.error(`${base}.governance.quorum`, 'Say how many practices must be present for a members’ meeting to make decisions (the quorum).');
    } else if (quorum.minimumPractices != null && core.length > 0 && quorum.minimumPractices > core.length) {
      out.error(
        `${base}.governance.quorum.minimumPractices`,
        `The quorum of ${quorum.minimumPractices} practices is more than the ${core.length} core practices in the network, so no meeting could ever make decisions.`,
      );
    }
  }
}

function checkActivities({ content, out, memberIds, nonGpIds, knownIds, nameOf }: RuleScope): void {
  const seen = new Set<string>();
  (content.schedules.activities ?? []).forEach((activity, i) => {
    const path = `schedules.activities[${i}]`;
    const service = SERVICE_SPECIFICATION_LABELS[activity.specification] ?? activity.specification;
    if (seen.has(activity.specification)) {
      out.error(`${path}.specification`, `${service} appears more than once in Schedule 3; describe how it is delivered in a single entry.`);
    }
    seen.add(activity.specification);

    const deliveredBy = activity.deliveredBy ?? [];
    if (deliveredBy.length === 0) {
      out.error(`${path}.deliveredBy`, `Say which organisations deliver ${service}.`);
    }
    deliveredBy.forEach((organisationId, k) => {
      if (!memberIds.has(organisationId) && !nonGpIds.has(organisationId)) {
        out.error(
          `${path}.deliveredBy[${k}]`,
          `${nameOf(organisationId)} delivers ${service} but is neither a core practice nor listed in Schedule 7 as an organisation we work with. Add it to Schedule 7 first.`,
        );
      }
    });

    if (activity.subcontracted && !activity.cqcRegisteredProviderId) {
      out.error(`${path}.cqcRegisteredProviderId`, `${service} is subcontracted, so name the CQC-registered provider responsible for it.`);
    } else if (activity.cqcRegisteredProviderId && !knownIds.has(activity.cqcRegisteredProviderId)) {
      out.error(
        `${path}.cqcRegisteredProviderId`,
        `The CQC-registered provider for ${service}, ${nameOf(activity.cqcRegisteredProviderId)}, is not an organisation registered on the platform.`,
      );
    }
  });
}

function checkFinances({ content, out, memberIds, nameOf }: RuleScope): void {
  const finances = content.schedules.finances;
  if (!finances) return;
  const base = 'schedules.finances';
  const schedule1Payee = content.schedules.keyDetails?.payee?.organisationId;

  if (finances.payeeOrganisationId && finances.payeeOrganisationId !== schedule1Payee) {
    out.error(
      `${base}.payeeOrganisationId`,
      `Schedule 4 names ${nameOf(finances.payeeOrganisationId)} as the payee, but Schedule 1 names ${schedule1Payee ? nameOf(schedule1Payee) : 'no payee organisation'}. The two schedules must agree.`,
    );
  }

  const shares = finances.shares ?? [];
  if (finances.distributionBasis === DistributionBasis.CUSTOM_PERCENTAGES) {
    if (shares.length === 0) {
      out.error(`${base}.shares`, 'We chose to split payments by agreed percentages, so set the percentage each member practice receives.');
    } else {
      const total = shares.reduce((sum, share) => sum + (share.percentage ?? 0), 0);
      if (Math.abs(total - 100) > PERCENTAGE_TOLERANCE) {
        out.error(`${base}.shares`, `The agreed percentages add up to ${Number(total.toFixed(2))}%; they must add up to exactly 100%.`);
      }
    }
  } else if (shares.length > 0) {
    out.warning(
      `${base}.shares`,
      `Payments are split ${DISTRIBUTION_BASIS_LABELS[finances.distributionBasis] ?? finances.distributionBasis}, so the percentages listed will be ignored.`,
    );
  }

  const seen = new Set<string>();
  shares.forEach((share, i) => {
    const path = `${base}.shares[${i}].organisationId`;
    if (seen.has(share.organisationId)) {
      out.error(path, `${nameOf(share.organisationId)} has more than one share listed; give each practice a single percentage.`);
    }
    seen.add(share.organisationId);
    if (!memberIds.has(share.organisationId)) {
      out.error(path, `${nameOf(share.organisationId)} is not a core practice of this network, so it cannot receive a share of network payments.`);
    }
  });

  if (!finances.distributionTiming?.trim()) {
    out.warning(`${base}.distributionTiming`, 'Schedule 4 does not yet say when payments are passed on to member practices.');
  }
  if (!finances.liabilitySharing?.trim()) {
    out.warning(
      `${base}.liabilitySharing`,
      'Schedule 4 does not yet say how profits, losses and liabilities are shared between us. This is the part of the agreement most often left empty.',
    );
  }
  if (!finances.bankingArrangements?.trim()) {
    out.warning(`${base}.bankingArrangements`, 'Schedule 4 does not yet describe our banking and accounting arrangements.');
  }
}

function checkWorkforce({ content, out, memberIds, knownIds, nameOf }: RuleScope): void {
  (content.schedules.workforce?.arrsPosts ?? []).forEach((post, i) => {
    const path = `schedules.workforce.arrsPosts[${i}]`;
    const role = `${ARRS_ROLE_LABELS[post.role] ?? post.role} post (ARRS post ${i + 1})`;
    if (!(Number.isFinite(post.wte) && post.wte > 0 && post.wte <= 1)) {
      out.error(
        `${path}.wte`,
        `The ${role} is recorded as ${post.wte} whole-time equivalent; an ARRS post must be more than 0 and no more than 1 WTE. Record a larger commitment as separate posts.`,
      );
    }
    if (!knownIds.has(post.employerOrganisationId)) {
      out.error(`${path}.employerOrganisationId`, `The employer of the ${role}, ${nameOf(post.employerOrganisationId)}, is not an organisation registered on the platform.`);
    }
    const hosts = post.hostPracticeIds ?? [];
    if (hosts.length === 0) {
      out.error(`${path}.hostPracticeIds`, `Say which member practice or practices host the ${role}.`);
    }
    hosts.forEach((hostId, k) => {
      if (!memberIds.has(hostId)) {
        out.error(`${path}.hostPracticeIds[${k}]`, `${nameOf(hostId)} is named as host of the ${role} but is not a core practice of this network.`);
      }
    });
  });
}

function checkNonGpArrangements({ content, out, memberIds, knownIds, nameOf }: RuleScope): void {
  const seen = new Set<string>();
  (content.schedules.nonGpArrangements ?? []).forEach((arrangement, i) => {
    const path = `schedules.nonGpArrangements[${i}]`;
    const name = nameOf(arrangement.organisationId);
    if (memberIds.has(arrangement.organisationId)) {
      out.error(`${path}.organisationId`, `${name} is a core practice, so it cannot also be listed in Schedule 7 as an organisation outside the network.`);
    } else if (!knownIds.has(arrangement.organisationId)) {
      out.error(`${path}.organisationId`, `Schedule 7 entry ${i + 1} refers to ${name}, which is not registered on the platform.`);
    }
    if (seen.has(arrangement.organisationId)) {
      out.error(`${path}.organisationId`, `${name} has more than one entry in Schedule 7; keep a single entry per organisation.`);
    }
    seen.add(arrangement.organisationId);
    if (arrangement.endDate && isDateOnly(arrangement.startDate) && arrangement.endDate <= arrangement.startDate) {
      out.error(
        `${path}.endDate`,
        `The arrangement with ${name} ends on ${formatDate(arrangement.endDate)}, which is not after it starts on ${formatDate(arrangement.startDate)}.`,
      );
    }
  });
}

function checkAnnexes(scope: RuleScope): void {
  const annexes = scope.content.annexes ?? [];
  // An organisation is covered as a processor once any Article 28 annex names it as one.
  const coveredProcessors = new Set<string>();
  for (const annex of annexes) {
    if (annex.kind !== DataSharingAnnexKind.ART28_DPA) continue;
    for (const party of annex.parties ?? []) {
      if (PROCESSOR_ROLES.has(party.dataRole)) coveredProcessors.add(party.organisationId);
    }
  }
  const idIndex = new Map<string, number>();
  annexes.forEach((annex, i) => {
    if (annex.id) {
      const first = idIndex.get(annex.id);
      if (first !== undefined) {
        scope.out.error(`annexes[${i}].id`, `Annex “${annex.title}” has the same id as annex ${first + 1}; each annex needs its own id.`);
      } else {
        idIndex.set(annex.id, i);
      }
    }
    checkAnnex(scope, annex, `annexes[${i}]`, coveredProcessors);
  });
}

const OFFICER_ROLE_LABELS: Record<OfficerOnRecord['role'], string> = { DPO: 'Data Protection Officer', CALDICOTT_GUARDIAN: 'Caldicott Guardian' };

/**
 * A sealed annex names real people: the officer an annex names for a controller must be the
 * one the directory records (the person the information-governance step asks), matched by email.
 */
function checkOfficerOnRecord(
  scope: RuleScope,
  organisationId: string,
  role: OfficerOnRecord['role'],
  named: Contact | undefined,
  path: string,
  orgName: string,
  title: string,
): void {
  if (!named || !scope.ctx.officersOnRecord) return;
  const onRecord = scope.ctx.officersOnRecord.filter((o) => o.organisationId === organisationId && o.role === role);
  const email = named.email?.trim().toLowerCase();
  if (email && onRecord.some((o) => o.email.trim().toLowerCase() === email)) return;
  const label = OFFICER_ROLE_LABELS[role];
  const who = [named.name?.trim(), named.email?.trim()].filter(Boolean).join(', ') || 'nobody';
  const recorded = onRecord.length > 0 ? `The directory records ${onRecord.map((o) => `${o.name} (${o.email})`).join(' and ')} as ${orgName}’s ${label}.` : `The directory records no ${label} for ${orgName}.`;
  scope.out.error(path, `${orgName}’s ${label} named in ${title} (${who}) is not on record in the directory. ${recorded} Name the person on record, or have the directory updated, before sending it for approval.`);
}

function checkAnnex(scope: RuleScope, annex: DataSharingAnnex, base: string, coveredProcessors: ReadonlySet<string>): void {
  const { out, memberIds, nonGpIds, nameOf, ctx } = scope;
  const title = `annex “${annex.title}”`;
  const Title = `Annex “${annex.title}”`;
  const parties = annex.parties ?? [];
  const partyIds = new Set(parties.map((p) => p.organisationId));
  const coversPatients = (annex.dataSubjects ?? []).includes(DataSubjectCategory.PATIENTS);
  const expectedDspt = isDateOnly(ctx.today) ? currentDsptYear(ctx.today) : undefined;

  const seen = new Set<string>();
  parties.forEach((party, j) => {
    const path = `${base}.parties[${j}]`;
    const name = nameOf(party.organisationId);
    if (seen.has(party.organisationId)) {
      out.error(`${path}.organisationId`, `${name} is listed more than once as a party to ${title}.`);
    }
    seen.add(party.organisationId);
    if (!memberIds.has(party.organisationId) && !nonGpIds.has(party.organisationId)) {
      out.error(
        `${path}.organisationId`,
        `${name} is a party to ${title} but is neither a core practice nor listed in Schedule 7. Add our arrangement with ${name} to Schedule 7 first.`,
      );
    }
    if (PROCESSOR_ROLES.has(party.dataRole) && !coveredProcessors.has(party.organisationId)) {
      out.error(
        path,
        `${name} processes data on our behalf in ${title}, so the agreement needs an Article 28 data processing agreement annex that names ${name} as processor.`,
      );
    }
    if (CONTROLLER_ROLES.has(party.dataRole)) {
      if (!party.dpo) {
        out.error(`${path}.dpo`, `${name} is a controller in ${title}, so give the name and email of its Data Protection Officer.`);
      }
      if (coversPatients && !party.caldicottGuardian) {
        out.error(`${path}.caldicottGuardian`, `${Title} covers patient data, so give the name and email of ${name}’s Caldicott Guardian.`);
      }
      if (ctx.officersOnRecord) {
        checkOfficerOnRecord(scope, party.organisationId, 'DPO', party.dpo, `${path}.dpo`, name, title);
        checkOfficerOnRecord(scope, party.organisationId, 'CALDICOTT_GUARDIAN', party.caldicottGuardian, `${path}.caldicottGuardian`, name, title);
      }
    }
    checkDspt(scope, party.dsptStatus, party.dsptYear, expectedDspt, path, name, title);
  });

  const count = (roles: DataRole[]) => parties.filter((p) => roles.includes(p.dataRole)).length;
  if (annex.kind === DataSharingAnnexKind.JOINT_CONTROLLER_DSA) {
    if (count([DataRole.JOINT_CONTROLLER]) < 2) {
      out.error(`${base}.parties`, `${Title} is a joint-controller agreement, so at least two parties must be joint controllers.`);
    }
    if (!annex.rightsRequestsHandledBy) {
      out.error(
        `${base}.rightsRequestsHandledBy`,
        `${Title} is a joint-controller agreement, so name the party that handles people’s data protection rights requests.`,
      );
    }
    // UK GDPR Art 26(2): the essence of the arrangement must be available to patients.
    if (!annex.privacyNoticeUrl) {
      out.error(`${base}.privacyNoticeUrl`, `${Title} is a joint-controller agreement, so link to the privacy notice that tells people how we share their data.`);
    }
  } else if (annex.kind === DataSharingAnnexKind.INDEPENDENT_CONTROLLER_DSA) {
    if (count([DataRole.CONTROLLER]) < 2) {
      out.error(`${base}.parties`, `${Title} is an independent-controller agreement, so at least two parties must be controllers.`);
    }
  } else if (annex.kind === DataSharingAnnexKind.ART28_DPA) {
    if (count([DataRole.CONTROLLER, DataRole.JOINT_CONTROLLER]) < 1) {
      out.error(`${base}.parties`, `${Title} is a data processing agreement, so it needs at least one controller giving the processor instructions.`);
    }
    if (count([DataRole.PROCESSOR]) < 1) {
      out.error(`${base}.parties`, `${Title} is a data processing agreement, so it needs at least one processor.`);
    }
  }
  if (annex.rightsRequestsHandledBy && !partyIds.has(annex.rightsRequestsHandledBy)) {
    out.error(
      `${base}.rightsRequestsHandledBy`,
      `${nameOf(annex.rightsRequestsHandledBy)} is named to handle rights requests for ${title} but is not a party to it.`,
    );
  }

  checkPurposesAndData(scope, annex, base, title);
  checkFlows(scope, annex, base, title, partyIds);
  checkGovernanceOfAnnex(scope, annex, base, title, Title);
}

function checkDspt(
  { out }: RuleScope,
  status: DsptStatus | undefined,
  year: string | undefined,
  expectedYear: string | undefined,
  path: string,
  name: string,
  title: string,
): void {
  if (!status) {
    out.warning(`${path}.dsptStatus`, `Record ${name}’s Data Security and Protection Toolkit status for ${title}.`);
  } else if (status === DsptStatus.NOT_PUBLISHED) {
    out.error(
      `${path}.dsptStatus`,
      `${name} has not published a Data Security and Protection Toolkit assessment, so it cannot share or process data under ${title} until it does.`,
    );
  } else if (status === DsptStatus.APPROACHING) {
    out.warning(
      `${path}.dsptStatus`,
      `${name}’s Data Security and Protection Toolkit is at “Approaching Standards”. That is acceptable only with an action plan, so check one is in place.`,
    );
  }
  if (year && expectedYear && Number(year.slice(0, 4)) < Number(expectedYear.slice(0, 4))) {
    out.warning(
      `${path}.dsptYear`,
      `${name}’s Data Security and Protection Toolkit assessment is for ${year}, but the ${expectedYear} assessment is now due. Check it has been published.`,
    );
  }
}

/** DSPT assessments for April Y-1 to March Y are due by 30 June Y. */
export function currentDsptYear(today: string): string {
  const [year, month] = today.split('-').map(Number);
  const endYear = month >= 7 ? year : year - 1;
  return `${endYear - 1}-${String(endYear % 100).padStart(2, '0')}`;
}

function describeItems(items: DataItem[]): string {
  const names = items.map((item) => `“${item.name}”`);
  if (names.length === 1) return `Data item ${names[0]} is`;
  return `Data items ${names.slice(0, -1).join(', ')} and ${names[names.length - 1]} are`;
}

function checkPurposesAndData({ out }: RuleScope, annex: DataSharingAnnex, base: string, title: string): void {
  const purposes = annex.purposes ?? [];
  const items = annex.dataItems ?? [];
  if (purposes.length === 0) {
    out.error(`${base}.purposes`, `List at least one purpose for sharing data under ${title}.`);
  }
  if ((annex.dataSubjects ?? []).length === 0) {
    out.error(`${base}.dataSubjects`, `Say whose data ${title} covers: patients, carers, staff or ARRS staff.`);
  }
  if (items.length === 0) {
    out.error(`${base}.dataItems`, `List the data items shared under ${title}.`);
  }
  items.forEach((item, k) => {
    if (!item.justification?.trim()) {
      out.error(`${base}.dataItems[${k}].justification`, `Explain why data item “${item.name}” is needed for ${title}.`);
    }
  });

  const special = items.filter((item) => item.specialCategory);
  const criminal = items.filter((item) => item.criminalOffence);
  purposes.forEach((purpose, j) => {
    const path = `${base}.purposes[${j}]`;
    const label = `purpose ${j + 1}`;
    const hasSch1 = Boolean(purpose.dpaSchedule1Condition?.trim());
    if (special.length > 0) {
      if (!purpose.art9Condition) {
        out.error(`${path}.art9Condition`, `${describeItems(special)} special-category data, so ${label} needs an Article 9 condition.`);
      }
      if (!hasSch1) {
        out.error(
          `${path}.dpaSchedule1Condition`,
          `${describeItems(special)} special-category data, so ${label} needs a Data Protection Act 2018 Schedule 1 condition.`,
        );
      }
    } else if (purpose.art9Condition) {
      out.warning(
        `${path}.art9Condition`,
        `Purpose ${j + 1} gives an Article 9 condition, but no data item in ${title} is marked as special-category data. Check the data items, or remove the condition.`,
      );
    }
    // Criminal-offence data (UK GDPR Art 10) also needs a Schedule 1 condition; skip if already asked for above.
    if (criminal.length > 0 && special.length === 0 && !hasSch1) {
      out.error(
        `${path}.dpaSchedule1Condition`,
        `${describeItems(criminal)} criminal-offence data, so ${label} needs a Data Protection Act 2018 Schedule 1 condition.`,
      );
    }
  });
}

function checkFlows({ out, nameOf }: RuleScope, annex: DataSharingAnnex, base: string, title: string, partyIds: ReadonlySet<string>): void {
  (annex.flows ?? []).forEach((flow, k) => {
    const path = `${base}.flows[${k}]`;
    const label = `Data flow ${k + 1} in ${title}`;
    if (!partyIds.has(flow.fromOrganisationId)) {
      out.error(`${path}.fromOrganisationId`, `${label} starts at ${nameOf(flow.fromOrganisationId)}, which is not a party to this annex.`);
    }
    if (!partyIds.has(flow.toOrganisationId)) {
      out.error(`${path}.toOrganisationId`, `${label} goes to ${nameOf(flow.toOrganisationId)}, which is not a party to this annex.`);
    }
    if (flow.fromOrganisationId === flow.toOrganisationId) {
      out.error(`${path}.toOrganisationId`, `${label} goes from ${nameOf(flow.fromOrganisationId)} to itself; a flow must be between two parties.`);
    }
    if (!flow.encrypted) {
      out.warning(`${path}.encrypted`, `${label} (${flow.system}) is not encrypted in transit. Personal data should only move over encrypted channels.`);
    }
  });
}

function checkGovernanceOfAnnex({ out, ctx }: RuleScope, annex: DataSharingAnnex, base: string, title: string, Title: string): void {
  const retention = annex.retention;
  if (!retention) {
    out.error(`${base}.retention`, `Set how long data shared under ${title} is kept, the rule that sets that period, and how it is disposed of.`);
  } else {
    if (!retention.period?.trim()) out.error(`${base}.retention.period`, `Say how long data shared under ${title} is kept.`);
    if (!retention.rule?.trim()) {
      out.error(`${base}.retention.rule`, `Say which rule sets the retention period for ${title}, for example the NHS Records Management Code of Practice.`);
    }
    if (!retention.disposalMethod?.trim()) out.error(`${base}.retention.disposalMethod`, `Say how data shared under ${title} is securely disposed of.`);
  }

  if ((annex.securityMeasures ?? []).length === 0) {
    out.warning(`${base}.securityMeasures`, `${Title} does not list any security measures.`);
  }

  const dpia = annex.dpia;
  if (!dpia) {
    out.error(`${base}.dpia`, `Record whether ${title} needs a data protection impact assessment (DPIA).`);
  } else if (dpia.required) {
    if (!dpia.reference?.trim()) out.error(`${base}.dpia.reference`, `A DPIA is required for ${title}, so record its reference.`);
    if (!dpia.date) out.error(`${base}.dpia.date`, `A DPIA is required for ${title}, so record the date it was completed.`);
    if (!dpia.outcome?.trim()) out.error(`${base}.dpia.outcome`, `A DPIA is required for ${title}, so record its outcome.`);
  } else if (!dpia.screeningSummary?.trim()) {
    out.error(`${base}.dpia.screeningSummary`, `${Title} says no DPIA is needed, so record the screening that reached that conclusion.`);
  }

  const hours = annex.breachNotificationHours;
  if (!Number.isInteger(hours) || hours < 1 || hours > MAX_BREACH_NOTIFICATION_HOURS) {
    out.error(
      `${base}.breachNotificationHours`,
      `Parties to ${title} must tell each other about a personal data breach within 1 to 72 hours; ${hours} hours is not allowed.`,
    );
  } else if (hours === MAX_BREACH_NOTIFICATION_HOURS) {
    // The ICO deadline is itself 72 hours, so the party reporting to the ICO needs slack.
    out.warning(
      `${base}.breachNotificationHours`,
      `${Title} gives parties the full 72 hours to report a breach to each other, which leaves no time before the 72-hour deadline for telling the ICO. Choose a shorter period.`,
    );
  }

  const start = annex.effectiveFrom;
  if (!isDateOnly(start)) return;
  if (annex.reviewBy && isDateOnly(annex.reviewBy)) {
    const latest = addMonths(start, 12);
    if (annex.reviewBy <= start) {
      out.error(`${base}.reviewBy`, `The review date for ${title} (${formatDate(annex.reviewBy)}) must be after it starts on ${formatDate(start)}.`);
    } else if (annex.reviewBy > latest) {
      out.warning(
        `${base}.reviewBy`,
        `${Title} is first reviewed on ${formatDate(annex.reviewBy)}, more than 12 months after it starts. We should review data sharing at least once a year (by ${formatDate(latest)}).`,
      );
    } else if (isDateOnly(ctx.today) && annex.reviewBy < ctx.today) {
      out.warning(`${base}.reviewBy`, `${Title} was due for review on ${formatDate(annex.reviewBy)}; the review is overdue.`);
    }
  }
  if (annex.endOn && isDateOnly(annex.endOn) && annex.endOn <= start) {
    out.error(`${base}.endOn`, `${Title} ends on ${formatDate(annex.endOn)}, which is not after it starts on ${formatDate(start)}.`);
  }
}
