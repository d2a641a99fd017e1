import { Type } from 'class-transformer';
import { IsDefined, IsInt, IsObject, IsOptional, IsString, Matches, Max, Min, ValidateNested } from 'class-validator';
import { AgreementContentDto, DataSharingAnnexDto } from '../content';

/*
 * `content` is checked against AgreementContentDto by the service (contentShapeException),
 * not here, so its field errors are keyed by the path inside the content
 * (`schedules.finances.shares[0].percentage`), the same form as the business rules and
 * the section saves, rather than `content.schedules…`.
 */

export class CreateAgreementDto {
  /** National template version; the newest when omitted. */
  @IsOptional() @IsString() @Matches(/^\d{4}\/\d{2}$/, { message: 'templateVersion must look like 2025/26' }) templateVersion?: string;
  @IsObject({ message: 'content is required and must be an object' }) content: AgreementContentDto;
}

export class SaveDraftDto {
  /** The revision number you loaded and edited. If someone saved since, you get 409. */
  @IsInt() @Min(1) @Max(1_000_000) baseRevision: number;
  @IsObject({ message: 'content is required and must be an object' }) content: AgreementContentDto;
}

/** Body of `PUT agreements/:id/sections/:section`. */
export class SaveSectionDto {
  /** The revision number you loaded and edited. If someone saved since, you get 409. */
  @IsInt() @Min(1) @Max(1_000_000) baseRevisionNumber: number;
  /** The section's new value: a schedule's whole content, or an object with an annex part's fields. Checked by the service. */
  @IsDefined({ message: 'value is required' }) value: unknown;
}

export class AddAnnexDto {
  @IsInt() @Min(1) @Max(1_000_000) baseRevision: number;
  @IsObject({ message: 'annex is required and must be an object' }) @ValidateNested() @Type(() => DataSharingAnnexDto) annex: DataSharingAnnexDto;
}

export class RemoveAnnexQuery {
  @Type(() => Number) @IsInt() @Min(1) @Max(1_000_000) baseRevisionNumber: number;
}
