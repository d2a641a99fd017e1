import { ArrayMaxSize, ArrayMinSize, IsDateString, IsEnum, IsOptional, IsUUID, Matches, MaxLength, IsString } from 'class-validator';
import { AgreementStatus } from '@pcn/agreements';
import { PageQuery } from '@pcn/common';

export class DocumentSearchQuery extends PageQuery {
  @IsOptional() @Matches(/^U[0-9]{5}$/, { message: 'pcnCode must be U and five digits, e.g. U70101' }) pcnCode?: string;
  @IsOptional() @IsString() @MaxLength(100) pcnName?: string;
  @IsOptional() @Matches(/^Q[0-9A-Z]{2}$/, { message: 'icbCode must be Q and two letters/digits, e.g. QHM' }) icbCode?: string;
  @IsOptional() @Matches(/^[A-Z][0-9]{5}$/, { message: 'practiceOdsCode must be a GP practice ODS code, e.g. A87001' }) practiceOdsCode?: string;
  @IsOptional() @IsDateString({ strict: true }, { message: 'executedFrom must be a date like 2026-04-01' }) executedFrom?: string;
  @IsOptional() @IsDateString({ strict: true }, { message: 'executedTo must be a date like 2027-03-31' }) executedTo?: string;
  @IsOptional() @IsEnum([AgreementStatus.Executed, AgreementStatus.Superseded, AgreementStatus.Terminated], { message: 'status must be EXECUTED, SUPERSEDED or TERMINATED' }) status?: AgreementStatus;
}

export class ZipRequestDto {
  @ArrayMinSize(1) @ArrayMaxSize(50, { message: 'Ask for at most 50 documents in one ZIP' }) @IsUUID('4', { each: true }) documentIds: string[];
}

export class PreviewQuery {
  @IsOptional() @Matches(/^[1-9][0-9]{0,6}$/, { message: 'revision must be a revision number' }) revision?: string;
}
