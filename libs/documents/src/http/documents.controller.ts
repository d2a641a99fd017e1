import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, Res, UploadedFile, UseGuards, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Authenticated, CurrentUser, Permission, Principal, Public, RequirePermission } from '@pcn/auth';
import { Actor, ActorContext, setNextPageLink } from '@pcn/common';
import { DocumentsService } from '../access/documents.service';
import { DocumentsErrorCode, DocumentsException } from '../documents.exception';
import { DocumentSearchQuery, PreviewQuery, ZipRequestDto } from './documents.dto';
import { sendStoredDocument } from './send-pdf';
import { sendDocumentsZip } from './send-zip';
import { verifyRateLimit, VerifyRateLimitGuard } from './verify-rate-limit';

const uuid = new ParseUUIDPipe({ version: '4' });

@ApiTags('documents')
@Controller()
export class DocumentsController {
  constructor(private readonly documents: DocumentsService) {}

  /** Sealed documents of an agreement you may download (annex parties see only their annexes). */
  @Authenticated()
  @Get('agreements/:agreementId/documents')
  list(@CurrentUser() user: Principal, @Param('agreementId', uuid) agreementId: string) {
    return this.documents.listForAgreement(user, agreementId);
  }

  /** The sealed PDF. ETag is its SHA-256; Range requests are answered with 206. */
  @Authenticated()
  @Get('documents/:documentId/download')
  async download(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('documentId', uuid) documentId: string, @Req() req: Request, @Res() res: Response) {
    await sendStoredDocument(this.documents, user, actor, documentId, req, res);
  }

  /** A DRAFT-marked, unsealed preview of a revision (the newest when none is named). */
  @RequirePermission(Permission.AgreementRead)
  @Get('agreements/:agreementId/preview')
  async preview(@CurrentUser() user: Principal, @Param('agreementId', uuid) agreementId: string, @Query() query: PreviewQuery, @Res() res: Response) {
    const { pdf, fileName } = await this.documents.preview(user, agreementId, query.revision ? Number(query.revision) : undefined);
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `inline; filename="${fileName}"`);
    res.end(pdf);
  }

  /** Executed agreements by PCN, ICB, practice ODS code, date or status, with their documents; most recently executed first, 50 a page (`limit`, `after`, `Link: rel="next"`). */
  @RequirePermission(Permission.AuditRead)
  @Get('documents/search')
  async search(@CurrentUser() user: Principal, @Query() query: DocumentSearchQuery, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const { limit, after, ...filters } = query;
    const { items, next } = await this.documents.search(user, filters, { limit, after });
    setNextPageLink(req, res, next);
    return items;
  }

  /** A ZIP of several sealed PDFs and a manifest.csv of their SHA-256 hashes. */
  @RequirePermission(Permission.AuditRead)
  @Post('documents/zip')
  @HttpCode(200)
  async zip(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Body() dto: ZipRequestDto, @Res() res: Response) {
    const docs = await this.documents.forZip(user, dto.documentIds, actor);
    await sendDocumentsZip(res, docs, `sealed-documents-${new Date().toISOString().slice(0, 10)}.zip`);
  }

  /**
   * Upload a PDF: did this platform seal it, is it unchanged, and — only when the bytes are a
   * sealed part's — which part, agreement and PCN, when, and who approved it. Rate-limited per address.
   */
  @Public()
  @Post('verify')
  @HttpCode(200)
  @UseGuards(VerifyRateLimitGuard)
  @verifyRateLimit('upload')
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } })
  @UseInterceptors(FileInterceptor('file'))
  verify(@UploadedFile() file: Express.Multer.File | undefined, @Actor() actor: ActorContext) {
    if (!file?.buffer?.length) throw new DocumentsException(DocumentsErrorCode.NoFile, 'Attach the PDF as a multipart form field named "file".');
    return this.documents.verifyUpload(file.buffer, actor);
  }

  /**
   * What the verification code printed on a part (`/verify/<code>`) shows anyone: that a part
   * with this code exists, its type, PCN and execution date — never a verdict, since no file
   * was checked. Rate-limited per address.
   */
  @Public()
  @Get('verify/code/:code')
  @UseGuards(VerifyRateLimitGuard)
  @verifyRateLimit('lookup')
  verifyCode(@Param('code') code: string) {
    return this.documents.lookupCode(code, null);
  }
}
