import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { StepPhase } from './step-phase';

export enum RequestKind {
  IgApproval = 'IG_APPROVAL',
  Signature = 'SIGNATURE',
}

export enum RequestScope {
  Agreement = 'AGREEMENT',
  Annex = 'ANNEX',
}

export enum SignerCapacity {
  Partner = 'PARTNER',
  Director = 'DIRECTOR',
  SoleTrader = 'SOLE_TRADER',
  AuthorisedSignatory = 'AUTHORISED_SIGNATORY',
  ClinicalDirector = 'CLINICAL_DIRECTOR',
  Dpo = 'DPO',
  CaldicottGuardian = 'CALDICOTT_GUARDIAN',
}

export enum RequestStatus {
  Pending = 'PENDING',
  Approved = 'APPROVED',
  Declined = 'DECLINED',
  Delegated = 'DELEGATED',
  /** Another person in the same group approved, so this one is no longer needed. */
  NotNeeded = 'NOT_NEEDED',
  /** The round ended before this person acted. */
  Void = 'VOID',
}

/**
 * One person's part in a round. People in the same `groupKey` stand in for each other
 * (any one of a company's directors; a partnership's authorised partner); a step is
 * complete when every group in it has an approval.
 */
@Entity('signature_request')
@Index('signature_request_round_step_idx', ['roundId', 'step'])
@Index('signature_request_person_idx', ['personId', 'status'])
// An agreement's requests for its audit trail's names (AuditTrailLoader): without it, a scan of every request.
@Index('signature_request_agreement_idx', ['agreementId'])
@Index('signature_request_unique', ['roundId', 'groupKey', 'personId'], { unique: true })
export class SignatureRequestEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) roundId: string;
  @Column({ type: 'uuid' }) agreementId: string;
  @Column({ type: 'integer' }) step: number;
  /** What the request's step is for (IG review, parties sign, clinical director countersigns). */
  @Column({ type: 'varchar', length: 12 }) phase: StepPhase;
  @Column({ type: 'varchar', length: 12 }) kind: RequestKind;
  @Column({ type: 'varchar', length: 10 }) scope: RequestScope;
  @Column({ type: 'uuid', nullable: true }) annexId: string | null;
  @Column({ type: 'varchar', length: 200, nullable: true }) annexTitle: string | null;
  /** What the signer confirms: the revision hash, or the annex's own hash for annex scope. */
  @Column({ type: 'char', length: 64 }) boundHash: string;
  @Column({ type: 'varchar', length: 120 }) groupKey: string;
  @Column({ type: 'uuid' }) organisationId: string;
  @Column({ type: 'varchar', length: 200 }) organisationName: string;
  @Column({ type: 'varchar', length: 10, nullable: true }) odsCode: string | null;
  @Column({ type: 'uuid' }) personId: string;
  @Column({ type: 'varchar', length: 200 }) personName: string;
  @Column({ type: 'varchar', length: 254 }) personEmail: string;
  @Column({ type: 'varchar', length: 30 }) capacity: SignerCapacity;
  @Column({ type: 'varchar', length: 12, default: RequestStatus.Pending }) status: RequestStatus;
  @Column({ type: 'uuid', nullable: true }) delegatedFromId: string | null;
  @Column({ type: 'timestamptz', nullable: true }) viewedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) actedAt: Date | null;
  @Column({ type: 'uuid', nullable: true }) actedByUserId: string | null;
  @Column({ type: 'varchar', length: 200, nullable: true }) typedName: string | null;
  @Column({ type: 'boolean', nullable: true }) authorityConfirmed: boolean | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) ip: string | null;
  @Column({ type: 'varchar', length: 500, nullable: true }) userAgent: string | null;
  @Column({ type: 'varchar', length: 40, nullable: true }) authMethod: string | null;
  @Column({ type: 'text', nullable: true }) declineReason: string | null;
  @Column({ type: 'integer', default: 0 }) remindersSent: number;
}
