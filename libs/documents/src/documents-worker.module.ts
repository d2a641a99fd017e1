import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DirectoryModule } from '@pcn/directory';
import { SealModule } from './seal.module';
import { AgreementDocumentSource } from './model';
import { DocumentsGenerator } from './generation/documents-generator.service';
import { SealedDocumentEntity } from './storage/sealed-document.entity';

/** Producing sealed documents (the worker side): needs the seal certificate. */
@Module({
  imports: [TypeOrmModule.forFeature([SealedDocumentEntity]), SealModule, DirectoryModule],
  providers: [DocumentsGenerator, AgreementDocumentSource],
  exports: [DocumentsGenerator, AgreementDocumentSource],
})
export class DocumentsWorkerModule {}
