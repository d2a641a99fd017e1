import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { MulterModule } from '@nestjs/platform-express';
import { memoryStorage } from 'multer';
import { AgreementsModule } from '@pcn/agreements';
import { AuditModule } from '@pcn/audit';
import { DirectoryModule } from '@pcn/directory';
import { documentsConfig, DocumentsConfig, DocumentsModule } from '@pcn/documents';
import { WorkflowModule } from '@pcn/workflow';
import { VerificationPageController, VerifyUploadTooLargeFilter } from '../verify/verification-page.controller';
import { AnnexesPageController } from './annexes-page.controller';
import { AuditSearchPageController } from './audit-search-page.controller';
import { AuditTrailPageController } from './audit-trail-page.controller';
import { AuditTrailLoader } from './audit-trail.loader';
import { PracticePageController } from './practice-page.controller';
import { RecordDownloadsController } from './record-downloads.controller';
import { RecordsAccessService } from './records-access.service';

/** Records: auditor search, audit trails, sealed downloads, DPO annexes, practice view, public verification. */
@Module({
  imports: [
    ConfigModule.forFeature(documentsConfig),
    // The verification page's upload: in memory, capped exactly as POST /api/v1/verify.
    MulterModule.registerAsync({
      imports: [ConfigModule.forFeature(documentsConfig)],
      inject: [documentsConfig.KEY],
      useFactory: (config: DocumentsConfig) => ({ storage: memoryStorage(), limits: { fileSize: config.VERIFY_MAX_UPLOAD_BYTES, files: 1, fields: 5 } }),
    }),
    AgreementsModule,
    AuditModule,
    DirectoryModule,
    DocumentsModule,
    WorkflowModule,
  ],
  controllers: [AuditSearchPageController, AuditTrailPageController, RecordDownloadsController, AnnexesPageController, PracticePageController, VerificationPageController],
  providers: [RecordsAccessService, AuditTrailLoader, VerifyUploadTooLargeFilter],
})
export class RecordsPagesModule {}
