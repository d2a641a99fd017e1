import { Module } from '@nestjs/common';
import { AgreementsModule } from '@pcn/agreements';
import { DirectoryModule } from '@pcn/directory';
import { AgreementDocumentSource } from '@pcn/documents';
import { WorkflowModule } from '@pcn/workflow';
import { ReviewDocumentService } from './review-document.service';
import { ReviewPageController } from './review-page.controller';

/** Review and sign: one page per person per round step. */
@Module({
  imports: [WorkflowModule, AgreementsModule, DirectoryModule],
  controllers: [ReviewPageController],
  providers: [ReviewDocumentService, AgreementDocumentSource],
})
export class ReviewPagesModule {}
