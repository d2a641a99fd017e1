import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditEventEntity } from './audit-event.entity';
import { AuditService } from './audit.service';

export const AUDIT_ENTITIES = [AuditEventEntity];

/** The append-only, hash-chained audit trail. Domain libs import it and call AuditService.record in their transactions. */
@Module({
  imports: [TypeOrmModule.forFeature(AUDIT_ENTITIES)],
  providers: [AuditService],
  exports: [AuditService],
})
export class AuditModule {}
