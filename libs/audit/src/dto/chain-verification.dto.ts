import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ChainBreakDto {
  /** The agreement id, or 'platform'. */
  @ApiProperty() chainKey: string;
  @ApiProperty() seq: number;
  /** The audit event's id (a bigint, as a string). */
  @ApiProperty() id: string;
  @ApiProperty({ enum: ['hash mismatch', 'previous hash mismatch', 'sequence gap'] }) reason: 'hash mismatch' | 'previous hash mismatch' | 'sequence gap';
  @ApiProperty() detail: string;
}

export class ChainHeadDto {
  @ApiProperty() seq: number;
  @ApiProperty() hash: string;
}

export class ChainVerificationDto {
  /** True when every event's hash and link to the previous event check out. */
  @ApiProperty() ok: boolean;
  @ApiProperty() chains: number;
  @ApiProperty() eventsChecked: number;
  /** The first broken link, when ok is false. */
  @ApiPropertyOptional({ type: ChainBreakDto }) firstBroken?: ChainBreakDto;
  /** The last event of the chain, when one agreement was verified. */
  @ApiPropertyOptional({ type: ChainHeadDto }) head?: ChainHeadDto;
}
