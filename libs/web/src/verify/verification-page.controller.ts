import { ArgumentsHost, Catch, ExceptionFilter, Get, HttpCode, Inject, Param, PayloadTooLargeException, Post, Res, UploadedFile, UseFilters, UseGuards, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Request, Response } from 'express';
import { CurrentUser, Principal, Public } from '@pcn/auth';
import { Actor, ActorContext } from '@pcn/common';
import { CodeFacts, DocumentsErrorCode, DocumentsException, DocumentsService, documentsConfig, DocumentsConfig, PartSummary, VerificationFacts, verifyRateLimit, VerifyRateLimitGuard } from '@pcn/documents';
import { PageController } from '../shell/page-controller.decorator';
import { AGREEMENT_STATUS_LABELS, CAPACITY_WORDS } from '../records/audit-narration';

const FILE_FIELD = 'file';

/** "20 MB", "400 KB": the upload limit in words. */
export function sizeInWords(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** What the verification pages show about a sealed document: the service's facts, labelled. */
function present(facts: Pick<VerificationFacts, 'document' | 'agreement' | 'approvals'> & Partial<VerificationFacts>) {
  return {
    ...facts,
    partLabel: facts.document ? (facts.document.kind === 'ANNEX' ? `Data-sharing annex: ${facts.document.title}` : 'The whole agreement, with every schedule and annex') : null,
    statusLabel: facts.agreement ? (AGREEMENT_STATUS_LABELS[facts.agreement.status as keyof typeof AGREEMENT_STATUS_LABELS] ?? facts.agreement.status) : null,
    approvals: (facts.approvals ?? []).map((a) => ({ ...a, capacityLabel: CAPACITY_WORDS[a.capacity] ?? a.capacity })),
    part: facts.part ? presentPart(facts.part) : null,
  };
}

/** The little anyone may know of a part without a copy: its type, PCN and execution date. */
function presentPart(part: PartSummary) {
  return { ...part, kindLabel: part.kind === 'ANNEX' ? 'A data-sharing annex of a Network Agreement' : 'A Network Agreement (the whole agreement)', pcnLabel: part.pcnCode ? `${part.pcnName} (${part.pcnCode})` : part.pcnName };
}

/** An upload above VERIFY_MAX_UPLOAD_BYTES (multer answers 413) shows the form again with the limit in words. */
@Catch(PayloadTooLargeException)
export class VerifyUploadTooLargeFilter implements ExceptionFilter {
  constructor(@Inject(documentsConfig.KEY) private readonly config: DocumentsConfig) {}

  catch(_exception: PayloadTooLargeException, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    // The rest of the upload is not read: tell the browser the connection ends here.
    req.unpipe?.();
    res.setHeader('Connection', 'close');
    const message = `The file is larger than ${sizeInWords(this.config.VERIFY_MAX_UPLOAD_BYTES)}. Sealed documents from this platform are smaller than that: check you chose the right file.`;
    res.status(413).render('verify/upload', { pageTitle: 'Check a sealed document', errors: [{ text: message, href: `#${FILE_FIELD}` }], fieldErrors: { [FILE_FIELD]: message }, maxSize: sizeInWords(this.config.VERIFY_MAX_UPLOAD_BYTES) });
  }
}

/**
 * Public pages: upload a PDF to learn whether this platform sealed it and whether it has
 * changed since, and the page behind the verification reference printed on every document.
 */
@PageController('verify')
export class VerificationPageController {
  constructor(
    private readonly documents: DocumentsService,
    @Inject(documentsConfig.KEY) private readonly config: DocumentsConfig,
  ) {}

  private form(res: Response, status: number, message?: string) {
    res.status(status).render('verify/upload', {
      pageTitle: 'Check a sealed document',
      errors: message ? [{ text: message, href: `#${FILE_FIELD}` }] : [],
      fieldErrors: message ? { [FILE_FIELD]: message } : {},
      maxSize: sizeInWords(this.config.VERIFY_MAX_UPLOAD_BYTES),
    });
  }

  @Public()
  @Get()
  upload(@Res() res: Response) {
    res.setHeader('Cache-Control', 'no-store');
    this.form(res, 200);
  }

  @Public()
  @Post()
  @HttpCode(200)
  @UseGuards(VerifyRateLimitGuard)
  @verifyRateLimit('upload')
  @UseFilters(VerifyUploadTooLargeFilter)
  @UseInterceptors(FileInterceptor(FILE_FIELD))
  async check(@UploadedFile() file: Express.Multer.File | undefined, @Actor() actor: ActorContext, @CurrentUser() user: Principal | undefined, @Res() res: Response) {
    res.setHeader('Cache-Control', 'no-store');
    if (!file?.buffer?.length) return this.form(res, 422, 'Choose the PDF file you want to check');
    let facts: VerificationFacts;
    try {
      facts = await this.documents.verifyUpload(file.buffer, actor, user ?? null);
    } catch (error) {
      if (error instanceof DocumentsException && error.code === DocumentsErrorCode.NotAPdf) return this.form(res, 422, 'The file is not a PDF. Choose the PDF you downloaded from this platform or were sent by email.');
      if (error instanceof DocumentsException && error.code === DocumentsErrorCode.TruncatedPdf) return this.form(res, 422, 'The PDF is incomplete: it was cut off while it was being copied or downloaded. Get the whole file again and check that.');
      throw error;
    }
    res.render('verify/verdict', { pageTitle: 'Result of the check', fileName: file.originalname, facts: present(facts), maxSize: sizeInWords(this.config.VERIFY_MAX_UPLOAD_BYTES) });
  }

  /**
   * The page behind the verification URL printed on each sealed part (`/verify/<code>`). Without
   * a file it never says "authentic": it says a part with this code exists (type, PCN, execution
   * date) and asks for the file. Signed in as a party to the part, or as an auditor who may read
   * the agreement, the page also shows the sealed record.
   */
  @Public()
  @Get(':code')
  @UseGuards(VerifyRateLimitGuard)
  @verifyRateLimit('lookup')
  async show(@Param('code') code: string, @CurrentUser() user: Principal | undefined, @Res() res: Response) {
    res.setHeader('Cache-Control', 'no-store');
    let facts: CodeFacts;
    try {
      facts = await this.documents.lookupCode(code, user ?? null);
    } catch (error) {
      if (!(error instanceof DocumentsException) || error.code !== DocumentsErrorCode.DocumentNotFound) throw error;
      return res.status(404).render('verify/unknown-code', { pageTitle: 'No such document', code: code.slice(0, 40), maxSize: sizeInWords(this.config.VERIFY_MAX_UPLOAD_BYTES) });
    }
    res.render('verify/code', {
      pageTitle: 'Check a sealed document',
      code: facts.code,
      part: presentPart(facts.part),
      record: facts.record ? present(facts.record) : null,
      maxSize: sizeInWords(this.config.VERIFY_MAX_UPLOAD_BYTES),
    });
  }
}
