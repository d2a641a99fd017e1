import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DirectoryModule } from '@pcn/directory';
import { SealModule } from './seal.module';
import { AgreementDocumentSource } from './model';
import { DocumentsGenerator } from './generation/documents-generator.service';
import { SealedDocumentEntity } from './storage/sealed-document.entity';
import { documentsConfig } from './documents.config';
import { documentStoreProvider } from './storage/document-store';

/** Producing sealed documents (the worker side): needs the seal certificate. */
@Module({
  imports: [ConfigModule.forFeature(documentsConfig), TypeOrmModule.forFeature([SealedDocumentEntity]), SealModule, DirectoryModule],
  providers: [DocumentsGenerator, AgreementDocumentSource, documentStoreProvider],
  exports: [DocumentsGenerator, AgreementDocumentSource],
})
export class DocumentsWorkerModule {}
