import { Controller, Get, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Permission, RequirePermission } from '@pcn/auth';
import { AuditService } from './audit.service';
import { ChainVerificationDto } from './dto/chain-verification.dto';

/**
 * Platform-wide integrity checks only. An agreement's own trail and CSV are served by the
 * lib that can check access to that agreement, through AuditService.
 */
@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** Recomputes the hash chain of one agreement, or of every chain, and names the first broken link. */
  @RequirePermission(Permission.AuditRead)
  @Get('verify')
  @ApiQuery({ name: 'agreementId', required: false, description: 'Verify only this agreement’s chain.' })
  @ApiOkResponse({ type: ChainVerificationDto })
  verify(@Query('agreementId', new ParseUUIDPipe({ optional: true })) agreementId?: string): Promise<ChainVerificationDto> {
    return this.audit.verifyChain(agreementId);
  }
}
