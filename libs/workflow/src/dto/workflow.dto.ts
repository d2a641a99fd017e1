import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsDateString, IsEnum, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { SignerCapacity } from '../rounds/signature-request.entity';

export class SubmitForApprovalDto {
  /** The draft revision you are sending. It must be the newest one (409 otherwise). */
  @IsInt() @Min(1) @Max(2_147_483_647) revisionNumber: number;
  /** When everyone must have acted; default 14 days from now. */
  @IsOptional() @IsDateString({ strict: true }, { message: 'dueAt must be an ISO date-time, e.g. 2026-12-18T17:00:00Z' }) dueAt?: string;
  @IsOptional() @IsInt() @Min(1) @Max(60) firstReminderAfterDays?: number;
  @IsOptional() @IsInt() @Min(1) @Max(60) reminderEveryDays?: number;
  @IsOptional() @IsInt() @Min(0) @Max(30) maxReminders?: number;
  /** Whether the clinical director countersigns after every party has signed (default true). */
  @IsOptional() @IsBoolean() clinicalDirectorCountersigns?: boolean;
  /** A note every signer sees in their request. */
  @IsOptional() @IsString() @MaxLength(2000) message?: string;
}

export class ApproveRequestDto {
  /** Your full name, typed as your signature. */
  @IsString() @Length(2, 200) typedName: string;
  @IsEnum(SignerCapacity, { message: `capacity must be one of ${Object.values(SignerCapacity).join(', ')}` }) capacity: SignerCapacity;
  /** You confirm you have authority to approve for this organisation. */
  @IsBoolean() confirmAuthority: boolean;
  /** The hash shown with the document you read; if the content has changed since, you get 409. */
  @Matches(/^[0-9a-f]{64}$/, { message: 'hash must be the 64-character SHA-256 shown with the document' }) hash: string;
}

export class BatchApprovalItemDto {
  @IsUUID('4') requestId: string;
  /** The hash shown with the part this request belongs to. */
  @Matches(/^[0-9a-f]{64}$/, { message: 'hash must be the 64-character SHA-256 shown with the document' }) hash: string;
  @IsEnum(SignerCapacity, { message: `capacity must be one of ${Object.values(SignerCapacity).join(', ')}` }) capacity: SignerCapacity;
}

export class ApproveManyRequestsDto {
  /** Your requests of one round, each with the hash of the part it belongs to. */
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(200) @ValidateNested({ each: true }) @Type(() => BatchApprovalItemDto) approvals: BatchApprovalItemDto[];
  /** Your full name, typed as your signature. */
  @IsString() @Length(2, 200) typedName: string;
  /** You confirm you have authority to approve for every organisation listed. */
  @IsBoolean() confirmAuthority: boolean;
}

export class DeclineRequestDto {
  @IsString() @Length(5, 2000, { message: 'reason must say, in at least 5 characters, why you decline' }) reason: string;
}

export class DelegateRequestDto {
  /** Another person of the same organisation who holds a role that can sign. */
  @IsUUID('4') toPersonId: string;
  @IsOptional() @IsString() @MaxLength(500) note?: string;
}

export class WithdrawRoundDto {
  @IsString() @Length(5, 2000, { message: 'reason must say why the round is withdrawn' }) reason: string;
}

export class ExtendRoundDto {
  @IsDateString({ strict: true }, { message: 'dueAt must be an ISO date-time in the future' }) dueAt: string;
}

export class RestartRoundDto {
  @IsOptional() @IsDateString({ strict: true }) dueAt?: string;
}

export class TerminateAgreementDto {
  /** Why the agreement ends: recorded on the agreement and in its audit trail. */
  @IsString({ message: 'reason must say why the agreement is terminated' }) @Length(5, 2000, { message: 'reason must say, in at least 5 characters, why the agreement is terminated' }) reason: string;
}
