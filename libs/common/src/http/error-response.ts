import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { FieldMessages } from '../errors/domain.exception';

/** The one shape every failed request answers with. */
export class ErrorResponse {
  @ApiProperty({ example: 422 }) status: number;
  @ApiProperty({ example: 'VALIDATION_FAILED' }) code: string;
  @ApiProperty({ example: '1 field is not valid. See fieldErrors.' }) message: string;
  @ApiPropertyOptional({ example: { 'schedules.finances.shares': ['Shares must total 100%; they total 90%.'] } })
  fieldErrors?: FieldMessages;
  @ApiPropertyOptional() warnings?: FieldMessages;
  @ApiProperty({ example: '7d8f7f0e-0c8e-4c5e-9b9e-0c6f0b1a2c3d' }) correlationId: string;
}
