import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { StepPhase } from './step-phase';

export enum RoundStatus {
  Active = 'ACTIVE',
  Completed = 'COMPLETED',
  Declined = 'DECLINED',
  Withdrawn = 'WITHDRAWN',
  Expired = 'EXPIRED',
  /** An expired round the clinical director replaced with a fresh one. */
  Restarted = 'RESTARTED',
}

/**
 * One attempt to get a specific revision approved and signed. Every approval binds to the
 * round's frozen content hash; a new revision needs a new round, so older approvals never
 * count for it.
 */
@Entity('approval_round')
@Index('approval_round_one_open_per_agreement', ['agreementId'], { unique: true, where: `status IN ('ACTIVE', 'EXPIRED')` })
@Check('approval_round_step_check', `current_step >= 1 AND current_step <= last_step`)
export class ApprovalRoundEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Index('approval_round_agreement_idx')
  @Column({ type: 'uuid' }) agreementId: string;
  @Column({ type: 'uuid' }) revisionId: string;
  @Column({ type: 'integer' }) revisionNumber: number;
  @Column({ type: 'char', length: 64 }) contentHash: string;
  @Column({ type: 'varchar', length: 12, default: RoundStatus.Active }) status: RoundStatus;
  @Column({ type: 'integer' }) currentStep: number;
  @Column({ type: 'integer' }) lastStep: number;
  /** Steps at or below this number are information-governance review. 0 when no annex needs IG review. */
  @Column({ type: 'integer' }) igLastStep: number;
  /** What each step is for, step 1 first (stored when the round opens; never inferred from numbers). */
  @Column({ type: 'varchar', length: 12, array: true }) stepPhases: StepPhase[];
  @Column({ type: 'timestamptz' }) dueAt: Date;
  @Column({ type: 'integer' }) firstReminderAfterDays: number;
  @Column({ type: 'integer' }) reminderEveryDays: number;
  @Column({ type: 'integer' }) maxReminders: number;
  @Column({ type: 'integer', default: 0 }) remindersSent: number;
  /** Bumped whenever the reminder schedule changes; a reminder job for an older value does nothing. */
  @Column({ type: 'integer', default: 0 }) reminderSeq: number;
  @Column({ type: 'text', nullable: true }) message: string | null;
  @Column({ type: 'uuid', nullable: true }) submittedBy: string | null;
  /** The directory person who sent the round (emails about its end go to them), recorded when it opens. */
  @Column({ type: 'uuid', nullable: true }) submittedByPersonId: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) submittedAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) endedAt: Date | null;
  @Column({ type: 'text', nullable: true }) endReason: string | null;
}
