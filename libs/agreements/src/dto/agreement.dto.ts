import { Type } from 'class-transformer';
import { IsInt, IsObject, IsOptional, IsString, Matches, Max, Min, ValidateNested } from 'class-validator';
import { AgreementContentDto, DataSharingAnnexDto } from '../content';

export class CreateAgreementDto {
  /** National template version; the newest when omitted. */
  @IsOptional() @IsString() @Matches(/^\d{4}\/\d{2}$/, { message: 'templateVersion must look like 2025/26' }) templateVersion?: string;
  @IsObject({ message: 'content is required and must be an object' }) @ValidateNested() @Type(() => AgreementContentDto) content: AgreementContentDto;
}

export class SaveDraftDto {
  /** The revision number you loaded and edited. If someone saved since, you get 409. */
  @IsInt() @Min(1) @Max(1_000_000) baseRevision: number;
  @IsObject({ message: 'content is required and must be an object' }) @ValidateNested() @Type(() => AgreementContentDto) content: AgreementContentDto;
}

export class AddAnnexDto {
  @IsInt() @Min(1) @Max(1_000_000) baseRevision: number;
  @IsObject({ message: 'annex is required and must be an object' }) @ValidateNested() @Type(() => DataSharingAnnexDto) annex: DataSharingAnnexDto;
}
