import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';

/*
 * The API's onboarding bodies. Shapes only: OnboardingService checks the values and answers
 * 422 with the same field messages in words as the pages show.
 */

export class CreateIcbDto {
  @IsString() @MaxLength(200) name: string;
  /** Q and two letters or digits, e.g. QHM. */
  @IsString() @MaxLength(10) odsCode: string;
}

export class MemberPracticeDto {
  /** One letter and five digits, e.g. A87001. */
  @IsString() @MaxLength(10) odsCode: string;
  /** Only for a practice the directory does not know yet: its name, contract (GMS, PMS, APMS) and legal form (PARTNERSHIP, SOLE_TRADER, COMPANY). */
  @IsOptional() @IsString() @MaxLength(200) name?: string;
  @IsOptional() @IsString() @MaxLength(20) contractType?: string;
  @IsOptional() @IsString() @MaxLength(20) legalForm?: string;
}

export class CreateOnboardedPcnDto {
  @IsString() @MaxLength(200) name: string;
  /** U and five digits, e.g. U70101. */
  @IsString() @MaxLength(10) odsCode: string;
  @IsString() @MaxLength(2000) networkArea: string;
  /** The day the member practices join, e.g. 2026-04-01. */
  @IsString() @MaxLength(10) joinedOn: string;
  @IsArray() @ArrayMaxSize(100) @ValidateNested({ each: true }) @Type(() => MemberPracticeDto) practices: MemberPracticeDto[];
}

export class InviteClinicalDirectorDto {
  @IsString() @MaxLength(200) fullName: string;
  @IsString() @MaxLength(254) email: string;
}
