import { IsBoolean, IsEmail, IsEnum, IsOptional, IsString, IsUUID, Length, Matches, MaxLength } from 'class-validator';
import { UserRole } from '@pcn/auth';
import { PersonRoleType } from '../directory.enums';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

class PersonChoiceDto {
  /** Someone already in the directory… */
  @IsOptional() @IsUUID('4') personId?: string;
  /** …or a new person. */
  @IsOptional() @IsString() @Length(2, 200) fullName?: string;
  @IsOptional() @IsEmail() @MaxLength(254) email?: string;
}

export class AddPersonRoleWithDatesDto extends PersonChoiceDto {
  @IsEnum(PersonRoleType) role: PersonRoleType;
  @Matches(DATE_ONLY, { message: 'validFrom must be a date like 2026-04-01' }) validFrom: string;
  @IsOptional() @Matches(DATE_ONLY, { message: 'validTo must be a date like 2027-03-31' }) validTo?: string;
  @IsOptional() @IsBoolean() signsForOrganisation?: boolean;
}

export class EndPersonRoleDto {
  /** The last day in the role. */
  @Matches(DATE_ONLY, { message: 'validTo must be a date like 2027-03-31' }) validTo: string;
}

export class InviteDto extends PersonChoiceDto {
  @IsEnum(UserRole) role: UserRole;
}

export class AcceptInvitationDto {
  @IsString() @Length(20, 100) token: string;
  @IsString() @Length(1, 256) password: string;
}

export class AddToPcnDto {
  @IsUUID('4') organisationId: string;
  @Matches(DATE_ONLY, { message: 'joinedOn must be a date like 2026-04-01' }) joinedOn: string;
}
