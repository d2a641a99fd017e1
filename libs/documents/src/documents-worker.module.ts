import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SealModule } from './seal.module';
import { DocumentsGenerator } from './generation/documents-generator.service';
import { SealedDocumentEntity } from './storage/sealed-document.entity';

/** Producing sealed documents (the worker side): needs the seal certificate. */
@Module({
  imports: [TypeOrmModule.forFeature([SealedDocumentEntity]), SealModule],
  providers: [DocumentsGenerator],
  exports: [DocumentsGenerator],
})
export class DocumentsWorkerModule {}
