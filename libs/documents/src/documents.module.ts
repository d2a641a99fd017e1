import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { MulterModule } from '@nestjs/platform-express';
import { TypeOrmModule } from '@nestjs/typeorm';
import { memoryStorage } from 'multer';
import { AgreementsModule } from '@pcn/agreements';
import { AuditModule } from '@pcn/audit';
import { DirectoryModule } from '@pcn/directory';
import { documentsConfig, DocumentsConfig, sealConfig } from './documents.config';
import { DocumentsService } from './access/documents.service';
import { AgreementDocumentSource } from './model';
import { DocumentsController } from './http/documents.controller';
import { VerifyRateLimiter, VerifyRateLimitGuard, verifyLimitsConfig } from './http/verify-rate-limit';
import { redisConfig } from '@pcn/database';
import { SealedDocumentEntity } from './storage/sealed-document.entity';
import { SealedDocumentVersionEntity } from './seal/sealed-document-version.entity';
import { DocumentVerificationEntity } from './storage/document-verification.entity';
import { documentStoreProvider } from './storage/document-store';

export const DOCUMENTS_ENTITIES = [SealedDocumentEntity, DocumentVerificationEntity, SealedDocumentVersionEntity];

/** Downloading, searching, previewing and verifying sealed documents (the API side). */
@Module({
  imports: [
    ConfigModule.forFeature(documentsConfig),
    ConfigModule.forFeature(verifyLimitsConfig),
    ConfigModule.forFeature(sealConfig),
    ConfigModule.forFeature(redisConfig),
    TypeOrmModule.forFeature(DOCUMENTS_ENTITIES),
    MulterModule.registerAsync({
      imports: [ConfigModule.forFeature(documentsConfig)],
      inject: [documentsConfig.KEY],
      // Uploads stay in memory and are capped: multer answers 413 above the limit.
      useFactory: (config: DocumentsConfig) => ({ storage: memoryStorage(), limits: { fileSize: config.VERIFY_MAX_UPLOAD_BYTES, files: 1, fields: 5 } }),
    }),
    AgreementsModule,
    DirectoryModule,
    AuditModule,
  ],
  controllers: [DocumentsController],
  providers: [DocumentsService, AgreementDocumentSource, VerifyRateLimiter, VerifyRateLimitGuard, documentStoreProvider],
  exports: [DocumentsService, VerifyRateLimiter, VerifyRateLimitGuard],
})
export class DocumentsModule {}
