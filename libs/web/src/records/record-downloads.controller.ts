import { Get, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Authenticated, CurrentUser, Principal } from '@pcn/auth';
import { Actor, ActorContext, CommonException } from '@pcn/common';
import { DocumentsService, sendDocumentsZip, sendStoredDocument } from '@pcn/documents';
import { PageController } from '../shell/page-controller.decorator';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Sealed PDFs and ZIPs for people signed in to the pages (session cookie), with exactly the
 * API's rules: DocumentsService decides who may have which document and records each download.
 */
@PageController()
export class RecordDownloadsController {
  constructor(private readonly documents: DocumentsService) {}

  @Authenticated()
  @Get('documents/:documentId/download')
  async download(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('documentId') documentId: string, @Req() req: Request, @Res() res: Response) {
    if (!UUID.test(documentId)) throw CommonException.notFound('Document');
    await sendStoredDocument(this.documents, user, actor, documentId, req, res);
  }

  /** Every sealed document of the agreement this person may have (annex parties: their annexes), with a manifest. */
  @Authenticated()
  @Get('agreements/:agreementId/documents.zip')
  async zip(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('agreementId') agreementId: string, @Res() res: Response) {
    if (!UUID.test(agreementId)) throw CommonException.notFound('Agreement');
    const listed = await this.documents.listForAgreement(user, agreementId);
    if (listed.length === 0) throw CommonException.notFound('Sealed documents');
    const docs = await this.documents.forZip(user, listed.map((d) => d.id), actor);
    const reference = listed[0].reference.replace(/-r\d+(-A\d+)?$/, '');
    await sendDocumentsZip(res, docs, `${reference}-sealed-documents.zip`);
  }
}
