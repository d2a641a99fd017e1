import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@pcn/audit';
import { DirectoryModule } from '@pcn/directory';
import { AgreementsController } from './agreements.controller';
import { AgreementsService } from './agreements.service';
import { AgreementRevisionEntity } from './agreements/agreement-revision.entity';
import { NetworkAgreementEntity } from './agreements/network-agreement.entity';
import { AgreementTemplateEntity } from './templates/agreement-template.entity';

export const AGREEMENTS_ENTITIES = [AgreementTemplateEntity, NetworkAgreementEntity, AgreementRevisionEntity];

@Module({
  imports: [TypeOrmModule.forFeature(AGREEMENTS_ENTITIES), DirectoryModule, AuditModule],
  controllers: [AgreementsController],
  providers: [AgreementsService],
  exports: [AgreementsService],
})
export class AgreementsModule {}
