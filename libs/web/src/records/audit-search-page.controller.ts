import { Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CurrentUser, Permission, Principal, RequirePermission } from '@pcn/auth';
import { DocumentsService } from '@pcn/documents';
import { PageController } from '../shell/page-controller.decorator';
import { AGREEMENT_STATUS_LABELS } from './audit-narration';
import { parseSearch, SEARCHABLE_STATUSES } from './search-form';

/** Auditors find executed agreements (in their ICB scope, as DocumentsService.search decides). */
@PageController()
export class AuditSearchPageController {
  constructor(private readonly documents: DocumentsService) {}

  @RequirePermission(Permission.AuditRead)
  @Get('audit/search')
  async search(@CurrentUser() user: Principal, @Query() query: Record<string, unknown>, @Res() res: Response) {
    const { form, query: search, errors, fieldErrors } = parseSearch(query);
    const searched = query.searched !== undefined || Object.keys(search).length > 0 || errors.length > 0;
    const results = searched && errors.length === 0 ? await this.documents.search(user, search) : null;
    res.status(errors.length ? 422 : 200).render('records/audit-search', {
      pageTitle: 'Find executed agreements',
      breadcrumbs: [],
      form,
      errors,
      fieldErrors,
      statusOptions: [{ value: '', text: 'Executed, superseded or terminated' }, ...SEARCHABLE_STATUSES.map((s) => ({ value: s, text: AGREEMENT_STATUS_LABELS[s], selected: form.status === s }))],
      results: results?.map((r) => ({ ...r, statusLabel: AGREEMENT_STATUS_LABELS[r.status as keyof typeof AGREEMENT_STATUS_LABELS] ?? r.status })) ?? null,
    });
  }
}
