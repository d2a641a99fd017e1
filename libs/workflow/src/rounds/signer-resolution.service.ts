import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AgreementContent, contentHash, DataRole, DataSharingAnnex, DataSubjectCategory, NetworkAgreementEntity } from '@pcn/agreements';
import { DirectoryService, LegalForm, OrganisationEntity, OrganisationKind, PersonEntity, PersonRoleEntity, PersonRoleType } from '@pcn/directory';
import { RequestKind, RequestScope, SignerCapacity } from './signature-request.entity';
import { WorkflowErrorCode, WorkflowException } from '../workflow.exception';
import { StepPhase } from './step-phase';

export interface RequiredSigner {
  step: number;
  /** What the step is for: stored on the request, never inferred from `step`. */
  phase: StepPhase;
  kind: RequestKind;
  scope: RequestScope;
  annexId: string | null;
  annexTitle: string | null;
  boundHash: string;
  groupKey: string;
  organisation: OrganisationEntity;
  person: PersonEntity;
  capacity: SignerCapacity;
}

export interface SignerPlan {
  signers: RequiredSigner[];
  igLastStep: number;
  lastStep: number;
  /** The phase of each step, step 1 first: stored on the round. */
  stepPhases: StepPhase[];
}

export interface SignerResolution extends SignerPlan {
  /** Sentences keyed by content path, for every party nobody can act for; empty when the plan is complete. */
  problems: Record<string, string[]>;
  /** Organisations the content names that the directory no longer has. */
  unknownOrganisationIds: string[];
}

type RoleRow = PersonRoleEntity & { person: PersonEntity };

/** Steps before renumbering: information-governance review, then every party signs in parallel, then the clinical director countersigns. */
const STEP = { IgReview: 1, Parties: 2, Countersign: 3 } as const;
const PHASE_OF: Record<number, StepPhase> = { [STEP.IgReview]: StepPhase.IgReview, [STEP.Parties]: StepPhase.Parties, [STEP.Countersign]: StepPhase.Countersign };

/** Options for a plan; `em` makes every directory read part of the caller's transaction. */
export interface SignerPlanOptions {
  countersign: boolean;
  em?: EntityManager;
  /** The day roles must be held on (YYYY-MM-DD), from the caller's clock. */
  onDate?: string;
}

const CONTROLLER_ROLES = [DataRole.CONTROLLER, DataRole.JOINT_CONTROLLER];

/** What a non-GP party's signer, or a practice's signer under each legal form, must hold. */
const SIGNING_ROLES: PersonRoleType[] = [PersonRoleType.Partner, PersonRoleType.Director, PersonRoleType.SolePractitioner, PersonRoleType.AuthorisedSignatory];

/** The annex hash a party confirms: the annex itself, tied to this agreement. */
export function annexHash(agreement: NetworkAgreementEntity, annex: DataSharingAnnex): string {
  return contentHash({ agreementReference: agreement.reference, annex });
}

/**
 * Works out who must act on a revision, from the content and the directory as it stands:
 * DPOs and Caldicott Guardians first (per annex controller), then each practice by its
 * legal form and each annex party, then the clinical director.
 */
@Injectable()
export class SignerResolutionService {
  constructor(private readonly directory: DirectoryService) {}

  async plan(agreement: NetworkAgreementEntity, content: AgreementContent, revisionHash: string, options: SignerPlanOptions = { countersign: true }): Promise<SignerPlan> {
    const { unknownOrganisationIds, problems, ...plan } = await this.resolve(agreement, content, revisionHash, options);
    if (unknownOrganisationIds.length > 0) {
      throw new WorkflowException(WorkflowErrorCode.NoEligibleSigner, `Organisation ${unknownOrganisationIds[0]} named in the agreement no longer exists in the directory.`);
    }
    if (Object.keys(problems).length > 0) {
      throw new WorkflowException(WorkflowErrorCode.NoEligibleSigner, 'This agreement cannot be sent yet: some parties have nobody recorded who can approve or sign for them.', problems);
    }
    return plan;
  }

  /**
   * The same plan without throwing: every party without an eligible signer is reported in
   * `problems` (keyed by content path) and left out, for previews before sending.
   */
  async resolve(agreement: NetworkAgreementEntity, content: AgreementContent, revisionHash: string, options: SignerPlanOptions = { countersign: true }): Promise<SignerResolution> {
    const practices = content.schedules.keyDetails.corePractices ?? [];
    const annexPartyIds = content.annexes.flatMap((a) => a.parties.map((p) => p.organisationId));
    const orgIds = [...new Set([...practices.map((p) => p.organisationId), ...annexPartyIds, agreement.pcnId])];
    const organisations = new Map((await this.directory.organisationsByIds(orgIds, options.em)).map((o) => [o.id, o]));
    const roles = await this.directory.peopleWithRoles(orgIds, [...SIGNING_ROLES, PersonRoleType.Dpo, PersonRoleType.CaldicottGuardian, PersonRoleType.ClinicalDirector], options.onDate, options.em);
    const byOrg = (orgId: string, ...wanted: PersonRoleType[]) => roles.filter((r) => r.organisationId === orgId && wanted.includes(r.role));
    const unknownOrganisationIds: string[] = [];
    const missing: Record<string, string[]> = {};
    const org = (id: string, path: string): OrganisationEntity | null => {
      const found = organisations.get(id);
      if (!found) {
        if (!unknownOrganisationIds.includes(id)) unknownOrganisationIds.push(id);
        (missing[path] ??= []).push(`An organisation named in the agreement (${id}) no longer exists in the directory.`);
        return null;
      }
      return found;
    };
    const signers: RequiredSigner[] = [];

    // 1. Information-governance review of each annex.
    for (const [index, annex] of content.annexes.entries()) {
      const hash = annexHash(agreement, annex);
      const patientData = annex.dataSubjects.includes(DataSubjectCategory.PATIENTS);
      for (const party of annex.parties.filter((p) => CONTROLLER_ROLES.includes(p.dataRole))) {
        const o = org(party.organisationId, `annexes[${index}].parties`);
        if (!o) continue;
        const gates: [PersonRoleType, SignerCapacity][] = [[PersonRoleType.Dpo, SignerCapacity.Dpo]];
        if (patientData) gates.push([PersonRoleType.CaldicottGuardian, SignerCapacity.CaldicottGuardian]);
        for (const [role, capacity] of gates) {
          const people = byOrg(o.id, role);
          if (people.length === 0) {
            (missing[`annexes[${index}].parties`] ??= []).push(`${o.name} has no ${role === PersonRoleType.Dpo ? 'Data Protection Officer' : 'Caldicott Guardian'} recorded in the directory, so nobody can give the information-governance approval.`);
            continue;
          }
          for (const r of dedupe(people)) {
            signers.push({ step: STEP.IgReview, phase: StepPhase.IgReview, kind: RequestKind.IgApproval, scope: RequestScope.Annex, annexId: annex.id ?? null, annexTitle: annex.title, boundHash: hash, groupKey: `ig:${annex.id}:${o.id}:${capacity}`, organisation: o, person: r.person, capacity });
          }
        }
      }
    }

    // 2. Parties sign: practices the agreement, every annex party its annex.
    const partySigners = (o: OrganisationEntity, scope: RequestScope, annex: DataSharingAnnex | null, hash: string, path: string) => {
      const base = { step: STEP.Parties, phase: StepPhase.Parties, kind: RequestKind.Signature, scope, annexId: annex?.id ?? null, annexTitle: annex?.title ?? null, boundHash: hash, organisation: o };
      const key = `sig:${annex?.id ?? 'agreement'}:${o.id}`;
      if (o.kind === OrganisationKind.GpPractice) {
        if (o.legalForm === LegalForm.Partnership) {
          const partners = dedupe(byOrg(o.id, PersonRoleType.Partner));
          const authorised = partners.filter((p) => p.signsForOrganisation);
          if (authorised.length > 0) return authorised.map((r) => ({ ...base, groupKey: key, person: r.person, capacity: SignerCapacity.Partner }));
          if (partners.length > 0) return partners.map((r) => ({ ...base, groupKey: `${key}:${r.personId}`, person: r.person, capacity: SignerCapacity.Partner }));
          (missing[path] ??= []).push(`${o.name} is a partnership with no partners recorded in the directory.`);
          return [];
        }
        const [role, capacity] = o.legalForm === LegalForm.Company ? [PersonRoleType.Director, SignerCapacity.Director] : [PersonRoleType.SolePractitioner, SignerCapacity.SoleTrader];
        const people = dedupe(byOrg(o.id, role));
        if (people.length === 0) (missing[path] ??= []).push(`${o.name} has no ${o.legalForm === LegalForm.Company ? 'director' : 'sole practitioner'} recorded in the directory.`);
        return people.map((r) => ({ ...base, groupKey: key, person: r.person, capacity }));
      }
      const people = dedupe(byOrg(o.id, PersonRoleType.AuthorisedSignatory, PersonRoleType.Director));
      if (people.length === 0) (missing[path] ??= []).push(`${o.name} has no authorised signatory recorded in the directory.`);
      return people.map((r) => ({ ...base, groupKey: key, person: r.person, capacity: r.role === PersonRoleType.Director ? SignerCapacity.Director : SignerCapacity.AuthorisedSignatory }));
    };
    practices.forEach((p, i) => {
      const path = `schedules.keyDetails.corePractices[${i}]`;
      const o = org(p.organisationId, path);
      if (o) signers.push(...partySigners(o, RequestScope.Agreement, null, revisionHash, path));
    });
    content.annexes.forEach((annex, i) => {
      const hash = annexHash(agreement, annex);
      annex.parties.forEach((party, j) => {
        const path = `annexes[${i}].parties[${j}]`;
        const o = org(party.organisationId, path);
        if (o) signers.push(...partySigners(o, RequestScope.Annex, annex, hash, path));
      });
    });

    // 3. The clinical director countersigns (unless the PCN chose not to for this round).
    const cdPersonId = content.schedules.keyDetails.clinicalDirector.personId;
    const cdRole = byOrg(agreement.pcnId, PersonRoleType.ClinicalDirector).find((r) => !cdPersonId || r.personId === cdPersonId);
    if (options.countersign && !cdRole) {
      (missing['schedules.keyDetails.clinicalDirector'] ??= []).push('The clinical director must be a person recorded in the directory as the PCN’s clinical director, so they can countersign.');
    } else if (options.countersign && cdRole) {
      const pcn = org(agreement.pcnId, 'schedules.keyDetails.clinicalDirector');
      if (pcn) signers.push({ step: STEP.Countersign, phase: StepPhase.Countersign, kind: RequestKind.Signature, scope: RequestScope.Agreement, annexId: null, annexTitle: null, boundHash: revisionHash, groupKey: `cd:${agreement.id}`, organisation: pcn, person: cdRole.person, capacity: SignerCapacity.ClinicalDirector });
    }

    const igLastStep = signers.some((s) => s.step === STEP.IgReview) ? STEP.IgReview : 0;
    const numbered = renumber(signers);
    const lastStep = numbered.length ? Math.max(...numbered.map((s) => s.step)) : 0;
    const stepPhases = Array.from({ length: lastStep }, (_, i) => numbered.find((s) => s.step === i + 1)?.phase ?? PHASE_OF[i + 1 + (igLastStep ? 0 : 1)]);
    return { signers: numbered, igLastStep, lastStep, stepPhases, problems: missing, unknownOrganisationIds };
  }
}

/** One row per person (a person can hold a role twice over different periods). */
function dedupe(rows: RoleRow[]): RoleRow[] {
  const seen = new Set<string>();
  return rows.filter((r) => (seen.has(r.personId) ? false : (seen.add(r.personId), true)));
}

/** Without an IG step, signatures start at step 1. */
function renumber(signers: RequiredSigner[]): RequiredSigner[] {
  if (signers.some((s) => s.step === STEP.IgReview)) return signers;
  return signers.map((s) => ({ ...s, step: s.step - 1 }));
}
