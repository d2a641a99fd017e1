import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsEnum, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { ContractType, DSPT_YEAR, DsptStatus, ExitReason, ICB_CODE, ICO_REGISTRATION, LegalForm, NON_GP_KINDS, ODS_OTHER, ODS_PRACTICE, OrganisationKind, PCN_CODE, PersonRoleType, SUB_ICB_CODE } from '../directory.enums';
import { PageQuery } from '@pcn/common';

const DATE = { strict: true, strictSeparator: true } as const;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const UK_POSTCODE = /^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$/i;

class OrganisationCommonDto {
  @IsString() @Length(2, 200) name: string;
  @IsOptional() @IsString() @MaxLength(300) address?: string;
  @IsOptional() @Matches(UK_POSTCODE, { message: 'postcode must be a UK postcode, e.g. TS15 9BU' }) postcode?: string;
  @IsOptional() @Matches(ICO_REGISTRATION, { message: 'icoRegistrationNumber must look like Z1234567' }) icoRegistrationNumber?: string;
  @IsOptional() @IsEnum(DsptStatus) dsptStatus?: DsptStatus;
  @IsOptional() @Matches(DSPT_YEAR, { message: 'dsptYear must look like 2025-26' }) dsptYear?: string;
}

export class CreatePracticeDto extends OrganisationCommonDto {
  @Matches(ODS_PRACTICE, { message: 'odsCode must be a GP practice ODS code: one capital letter and five digits, e.g. A81001' })
  odsCode: string;
  @IsEnum(ContractType, { message: 'contractType must be GMS, PMS or APMS' }) contractType: ContractType;
  @IsEnum(LegalForm, { message: 'legalForm must be PARTNERSHIP, SOLE_TRADER or COMPANY' }) legalForm: LegalForm;
  @IsInt() @Min(0) @Max(200000) listSize: number;
  @IsISO8601(DATE) @Matches(DATE_ONLY, { message: 'listSizeDate must be a date like 2026-04-01' }) listSizeDate: string;
  @IsOptional() @Matches(SUB_ICB_CODE, { message: 'subIcbCode must be 3 or 5 letters/digits, e.g. 00K' }) subIcbCode?: string;
}

export class CreatePcnDto {
  @IsString() @Length(2, 200) name: string;
  /** Null until ODS issues it. */
  @IsOptional() @Matches(PCN_CODE, { message: 'code must be a PCN code: U and five digits, e.g. U12345' }) code?: string;
  @Matches(ICB_CODE, { message: 'icbCode must be an ICB code: Q and two letters/digits, e.g. QHM' }) icbCode: string;
  @IsString() @Length(3, 2000) networkArea: string;
  @IsOptional() @Matches(SUB_ICB_CODE, { message: 'subIcbCode must be 3 or 5 letters/digits, e.g. 16C' }) subIcbCode?: string;
}

export class CreatePartnerOrganisationDto extends OrganisationCommonDto {
  @ApiProperty({ enum: NON_GP_KINDS })
  @IsIn(NON_GP_KINDS as readonly string[], { message: `kind must be one of ${NON_GP_KINDS.join(', ')}` })
  kind: (typeof NON_GP_KINDS)[number];
  @IsOptional() @Matches(ODS_OTHER, { message: 'odsCode must be 3-6 capital letters or digits, e.g. RVW' }) odsCode?: string;
}

export class AddMembershipDto {
  @IsUUID('4') practiceId: string;
  @IsISO8601(DATE) @Matches(DATE_ONLY, { message: 'joinedOn must be a date like 2026-04-01' }) joinedOn: string;
}

export class EndMembershipDto {
  @IsISO8601(DATE) @Matches(DATE_ONLY, { message: 'leftOn must be a date like 2027-03-31' }) leftOn: string;
  @IsEnum(ExitReason) exitReason: ExitReason;
}

export class CreatePersonDto {
  @IsString() @Length(2, 200) fullName: string;
  @IsEmail() @MaxLength(254) email: string;
  @IsOptional() @Matches(/^[0-9]{7}$/, { message: 'gmcNumber must be 7 digits' }) gmcNumber?: string;
}

export class AddPersonRoleDto {
  @IsUUID('4') organisationId: string;
  @IsEnum(PersonRoleType) role: PersonRoleType;
  @IsISO8601(DATE) @Matches(DATE_ONLY, { message: 'validFrom must be a date like 2026-04-01' }) validFrom: string;
  @IsOptional() @IsISO8601(DATE) @Matches(DATE_ONLY, { message: 'validTo must be a date like 2027-03-31' }) validTo?: string;
  /** A partner holding recorded authority to sign for the whole partnership. */
  @IsOptional() @IsBoolean() signsForOrganisation?: boolean;
}

export class OrganisationSearchQuery extends PageQuery {
  @IsOptional() @IsEnum(OrganisationKind) kind?: OrganisationKind;
  @IsOptional() @IsString() @MaxLength(100) q?: string;
}
