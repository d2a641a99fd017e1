import { Type } from 'class-transformer';
import { IsDecimalNumber } from '@pcn/common';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmail,
  IsEnum,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsPositive,
  IsString,
  IsUrl,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
  ValidationOptions,
} from 'class-validator';
import {
  Art6Basis,
  Art9Condition,
  ArrsRole,
  ClinicalDirectorAppointmentMethod,
  ConfidentialityBasis,
  DataRole,
  DataSharingAnnexKind,
  DataSubjectCategory,
  DistributionBasis,
  DsptStatus,
  MeetingFrequency,
  NonGpInstrument,
  NonGpProviderType,
  PayeeArrangement,
  PracticeLegalForm,
  PurposeCategory,
  ServiceSpecification,
  VotingRule,
} from './agreement-content.enums';
import type {
  AdditionalTerm,
  AgreementContent,
  AnnexParty,
  ArrsPost,
  ClinicalDirector,
  Contact,
  CorePractice,
  DataFlow,
  DataItem,
  DataSharingAnnex,
  DisputeClauseOverrides,
  Dpia,
  FinanceShare,
  Finances,
  Governance,
  InsuranceTerms,
  KeyDetails,
  ListSizeException,
  NonGpArrangement,
  Payee,
  Purpose,
  Quorum,
  Retention,
  Schedules,
  ServiceActivity,
  Workforce,
} from './agreement-content.types';

/*
 * The DTOs check shape and size only: types, enums, formats and caps that keep a
 * hostile body small. Cross-field business rules live in agreement-content.rules.ts,
 * because they need the PCN's membership and produce messages a clinical director reads.
 * Every property carries a class-validator decorator: the global pipe runs with
 * forbidNonWhitelisted, so an undecorated property would be rejected as unknown.
 */

export const DATE_ONLY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
export const FINANCIAL_YEAR_PATTERN = /^\d{4}\/\d{2}$/;
export const PRACTICE_ODS_CODE_PATTERN = /^[A-Z][0-9]{5}$/;
export const DSPT_YEAR_PATTERN = /^\d{4}-\d{2}$/;

// Caps sized for real agreements with generous headroom.
const SHORT = 200;
const MEDIUM = 2_000;
const LONG = 20_000;
const MAX_PRACTICES = 30;
const MAX_ORGS = 60;

function compose(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, key) => decorators.forEach((decorate) => decorate(target, key));
}

/** Date-only ISO string; strict ISO parsing rejects impossible dates like 2026-02-30. */
function IsDateOnly(options?: ValidationOptions): PropertyDecorator {
  return compose(
    IsString(options),
    Matches(DATE_ONLY_PATTERN, { message: '$property must be a date in YYYY-MM-DD form', ...options }),
    IsISO8601({ strict: true }, options),
  );
}

function Text(max: number, { required = true }: { required?: boolean } = {}): PropertyDecorator {
  return required ? compose(IsString(), IsNotEmpty(), MaxLength(max)) : compose(IsString(), MaxLength(max));
}

function OrganisationId(): PropertyDecorator {
  return IsUUID();
}

function NestedObject(type: () => new () => object): PropertyDecorator {
  return compose(IsObject(), ValidateNested(), Type(type));
}

function NestedArray(type: () => new () => object, max: number): PropertyDecorator {
  return compose(IsArray(), ArrayMaxSize(max), ValidateNested({ each: true }), Type(type));
}

export class DisputeClauseOverridesDto implements DisputeClauseOverrides {
  @IsOptional()
  @Text(LONG)
  meetingClause?: string;

  @IsOptional()
  @Text(LONG)
  lmcReferralClause?: string;
}

export class CorePracticeDto implements CorePractice {
  @OrganisationId()
  organisationId: string;

  @Matches(PRACTICE_ODS_CODE_PATTERN, { message: 'odsCode must be a GP practice ODS code such as A81001' })
  odsCode: string;

  @Text(SHORT)
  name: string;

  @IsInt()
  @Min(0)
  @Max(1_000_000)
  listSize: number;

  @IsDateOnly()
  listSizeDate: string;

  @IsEnum(PracticeLegalForm)
  legalForm: PracticeLegalForm;
}

export class ClinicalDirectorDto implements ClinicalDirector {
  @IsOptional()
  @IsUUID()
  personId?: string;

  @Text(SHORT)
  name: string;

  @IsDateOnly()
  appointedOn: string;

  @IsEnum(ClinicalDirectorAppointmentMethod)
  appointmentMethod: ClinicalDirectorAppointmentMethod;

  // A full-time week is about nine or ten sessions.
  @IsDecimalNumber(2)
  @IsPositive()
  @Max(10)
  sessionsPerWeek: number;
}

export class PayeeDto implements Payee {
  @IsEnum(PayeeArrangement)
  arrangement: PayeeArrangement;

  @IsOptional()
  @OrganisationId()
  organisationId?: string;

  @IsOptional()
  @Text(SHORT)
  bankAccountName?: string;
}

export class QuorumDto implements Quorum {
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_PRACTICES)
  minimumPractices?: number;

  // A quorum must be stated one way or the other.
  @ValidateIf((quorum: QuorumDto) => quorum.minimumPractices === undefined || quorum.description !== undefined)
  @Text(MEDIUM)
  description?: string;
}

export class GovernanceDto implements Governance {
  @IsEnum(MeetingFrequency)
  meetingFrequency: MeetingFrequency;

  @NestedObject(() => QuorumDto)
  quorum: QuorumDto;

  @IsEnum(VotingRule)
  votingRule: VotingRule;

  @IsArray()
  @ArrayMaxSize(30)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(MEDIUM, { each: true })
  decisionsRequiringUnanimity: string[];
}

export class ListSizeExceptionDto implements ListSizeException {
  @Text(SHORT)
  reference: string;

  @IsDateOnly()
  approvedOn: string;

  @Text(MEDIUM)
  reason: string;
}

export class KeyDetailsDto implements KeyDetails {
  @Text(LONG)
  networkArea: string;

  @IsOptional()
  @NestedArray(() => CorePracticeDto, MAX_PRACTICES)
  corePractices?: CorePracticeDto[];

  @IsOptional()
  @NestedObject(() => ListSizeExceptionDto)
  listSizeException?: ListSizeExceptionDto;

  @NestedObject(() => ClinicalDirectorDto)
  clinicalDirector: ClinicalDirectorDto;

  @NestedObject(() => PayeeDto)
  payee: PayeeDto;

  @NestedObject(() => GovernanceDto)
  governance: GovernanceDto;
}

export class AdditionalTermDto implements AdditionalTerm {
  @Text(SHORT)
  heading: string;

  @Text(LONG)
  text: string;
}

export class ServiceActivityDto implements ServiceActivity {
  @IsEnum(ServiceSpecification)
  specification: ServiceSpecification;

  @IsArray()
  @ArrayMaxSize(MAX_ORGS)
  @ArrayUnique()
  @IsUUID(undefined, { each: true })
  deliveredBy: string[];

  @IsBoolean()
  subcontracted: boolean;

  @IsOptional()
  @OrganisationId()
  cqcRegisteredProviderId?: string;
}

export class FinanceShareDto implements FinanceShare {
  @OrganisationId()
  organisationId: string;

  @IsDecimalNumber(4)
  @Min(0)
  @Max(100)
  percentage: number;
}

export class FinancesDto implements Finances {
  @IsOptional()
  @OrganisationId()
  payeeOrganisationId?: string;

  @IsEnum(DistributionBasis)
  distributionBasis: DistributionBasis;

  @IsOptional()
  @NestedArray(() => FinanceShareDto, MAX_PRACTICES)
  shares?: FinanceShareDto[];

  // Free text may be blank in a draft; the rules warn about empty finance terms.
  @Text(LONG, { required: false })
  distributionTiming: string;

  @Text(LONG, { required: false })
  liabilitySharing: string;

  @Text(LONG, { required: false })
  bankingArrangements: string;
}

export class ArrsPostDto implements ArrsPost {
  @IsEnum(ArrsRole)
  role: ArrsRole;

  @OrganisationId()
  employerOrganisationId: string;

  @IsDecimalNumber(4)
  @IsPositive()
  @Max(1)
  wte: number;

  @IsDateOnly()
  startDate: string;

  @IsArray()
  @ArrayMaxSize(MAX_PRACTICES)
  @ArrayUnique()
  @IsUUID(undefined, { each: true })
  hostPracticeIds: string[];
}

export class WorkforceDto implements Workforce {
  @NestedArray(() => ArrsPostDto, 300)
  arrsPosts: ArrsPostDto[];
}

export class InsuranceTermsDto implements InsuranceTerms {
  @Text(LONG, { required: false })
  indemnityArrangements: string;

  @Text(LONG, { required: false })
  intellectualProperty: string;

  @Text(LONG, { required: false })
  otherTerms: string;
}

export class NonGpArrangementDto implements NonGpArrangement {
  @OrganisationId()
  organisationId: string;

  @IsEnum(NonGpProviderType)
  providerType: NonGpProviderType;

  @IsEnum(NonGpInstrument)
  instrument: NonGpInstrument;

  @IsBoolean()
  votingRights: boolean;

  @IsBoolean()
  financeVisibility: boolean;

  @IsDateOnly()
  startDate: string;

  @IsOptional()
  @IsDateOnly()
  endDate?: string;
}

export class SchedulesDto implements Schedules {
  @NestedObject(() => KeyDetailsDto)
  keyDetails: KeyDetailsDto;

  @NestedArray(() => AdditionalTermDto, 100)
  additionalTerms: AdditionalTermDto[];

  @NestedArray(() => ServiceActivityDto, 30)
  activities: ServiceActivityDto[];

  @NestedObject(() => FinancesDto)
  finances: FinancesDto;

  @NestedObject(() => WorkforceDto)
  workforce: WorkforceDto;

  @NestedObject(() => InsuranceTermsDto)
  insurance: InsuranceTermsDto;

  @NestedArray(() => NonGpArrangementDto, MAX_ORGS)
  nonGpArrangements: NonGpArrangementDto[];
}

export class ContactDto implements Contact {
  @Text(SHORT)
  name: string;

  @IsEmail()
  @MaxLength(254)
  email: string;
}

export class AnnexPartyDto implements AnnexParty {
  @OrganisationId()
  organisationId: string;

  @IsEnum(DataRole)
  dataRole: DataRole;

  @IsOptional()
  @NestedObject(() => ContactDto)
  dpo?: ContactDto;

  @IsOptional()
  @NestedObject(() => ContactDto)
  caldicottGuardian?: ContactDto;

  @IsOptional()
  @IsEnum(DsptStatus)
  dsptStatus?: DsptStatus;

  @IsOptional()
  @Matches(DSPT_YEAR_PATTERN, { message: 'dsptYear must look like 2025-26' })
  dsptYear?: string;
}

export class PurposeDto implements Purpose {
  @Text(MEDIUM)
  description: string;

  @IsEnum(PurposeCategory)
  category: PurposeCategory;

  @IsEnum(Art6Basis)
  art6Basis: Art6Basis;

  @IsOptional()
  @IsEnum(Art9Condition)
  art9Condition?: Art9Condition;

  @IsOptional()
  @Text(SHORT)
  dpaSchedule1Condition?: string;

  @IsEnum(ConfidentialityBasis)
  confidentialityBasis: ConfidentialityBasis;
}

export class DataItemDto implements DataItem {
  @Text(SHORT)
  name: string;

  @Text(MEDIUM)
  justification: string;

  @IsBoolean()
  specialCategory: boolean;

  @IsBoolean()
  criminalOffence: boolean;
}

export class DataFlowDto implements DataFlow {
  @OrganisationId()
  fromOrganisationId: string;

  @OrganisationId()
  toOrganisationId: string;

  @Text(SHORT)
  system: string;

  @Text(SHORT)
  transferMethod: string;

  @IsBoolean()
  encrypted: boolean;

  @Text(SHORT)
  frequency: string;
}

export class RetentionDto implements Retention {
  @Text(SHORT, { required: false })
  period: string;

  @Text(MEDIUM, { required: false })
  rule: string;

  @Text(MEDIUM, { required: false })
  disposalMethod: string;
}

export class DpiaDto implements Dpia {
  @IsBoolean()
  required: boolean;

  @IsOptional()
  @Text(SHORT)
  reference?: string;

  @IsOptional()
  @IsDateOnly()
  date?: string;

  @IsOptional()
  @Text(MEDIUM)
  outcome?: string;

  @IsOptional()
  @Text(LONG)
  screeningSummary?: string;
}

export class DataSharingAnnexDto implements DataSharingAnnex {
  @IsOptional()
  @IsUUID()
  id?: string;

  @Text(SHORT)
  title: string;

  @IsEnum(DataSharingAnnexKind)
  kind: DataSharingAnnexKind;

  @NestedArray(() => AnnexPartyDto, MAX_ORGS)
  parties: AnnexPartyDto[];

  @NestedArray(() => PurposeDto, 50)
  purposes: PurposeDto[];

  @IsArray()
  @ArrayMaxSize(Object.keys(DataSubjectCategory).length)
  @ArrayUnique()
  @IsEnum(DataSubjectCategory, { each: true })
  dataSubjects: DataSubjectCategory[];

  @NestedArray(() => DataItemDto, 300)
  dataItems: DataItemDto[];

  @NestedArray(() => DataFlowDto, 200)
  flows: DataFlowDto[];

  @IsOptional()
  @NestedObject(() => RetentionDto)
  retention?: RetentionDto;

  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(MEDIUM, { each: true })
  securityMeasures: string[];

  @NestedObject(() => DpiaDto)
  dpia: DpiaDto;

  // Range is a business rule (1–72) with its own message; here only sanity bounds.
  @IsInt()
  @Min(0)
  @Max(10_000)
  breachNotificationHours: number;

  @IsDateOnly()
  effectiveFrom: string;

  @IsOptional()
  @IsDateOnly()
  reviewBy?: string;

  @IsOptional()
  @IsDateOnly()
  endOn?: string;

  @IsOptional()
  @OrganisationId()
  rightsRequestsHandledBy?: string;

  @IsOptional()
  @IsUrl({ protocols: ['https'], require_protocol: true })
  @MaxLength(MEDIUM)
  privacyNoticeUrl?: string;
}

/** Request body for creating or replacing a Network Agreement draft's content. */
export class AgreementContentDto implements AgreementContent {
  @Text(SHORT)
  title: string;

  @Matches(FINANCIAL_YEAR_PATTERN, { message: 'financialYear must look like 2026/27' })
  financialYear: string;

  @IsDateOnly()
  effectiveFrom: string;

  @IsOptional()
  @NestedObject(() => DisputeClauseOverridesDto)
  disputeClauseOverrides?: DisputeClauseOverridesDto;

  @NestedObject(() => SchedulesDto)
  schedules: SchedulesDto;

  @NestedArray(() => DataSharingAnnexDto, 20)
  annexes: DataSharingAnnexDto[];
}
