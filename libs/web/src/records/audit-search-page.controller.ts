import { Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CurrentUser, Permission, Principal, RequirePermission } from '@pcn/auth';
import { DocumentsService } from '@pcn/documents';
import { PageController } from '../shell/page-controller.decorator';
import { AGREEMENT_STATUS_LABELS } from './audit-narration';
import { parseSearch, SEARCHABLE_STATUSES } from './search-form';
import { isUuid } from '../rounds/round-words';

/** Auditors find executed agreements (in their ICB scope, as DocumentsService.search decides). */
@PageController()
export class AuditSearchPageController {
  constructor(private readonly documents: DocumentsService) {}

  @RequirePermission(Permission.AuditRead)
  @Get('audit/search')
  async search(@CurrentUser() user: Principal, @Query() query: Record<string, unknown>, @Res() res: Response) {
    const { form, query: search, errors, fieldErrors } = parseSearch(query);
    const searched = query.searched !== undefined || Object.keys(search).length > 0 || errors.length > 0;
    const after = typeof query.after === 'string' && isUuid(query.after) ? query.after : undefined;
    const page = searched && errors.length === 0 ? await this.documents.search(user, search, { after }) : null;
    const results = page?.items ?? null;
    // The next page keeps the form's fields and moves `after` on (keyset paging; no page numbers).
    const nextHref = page?.next ? `/audit/search?${nextQuery(query, page.next)}` : null;
    res.status(errors.length ? 422 : 200).render('records/audit-search', {
      pageTitle: 'Find executed agreements',
      breadcrumbs: [],
      form,
      errors,
      fieldErrors,
      statusOptions: [{ value: '', text: 'Executed, superseded or terminated' }, ...SEARCHABLE_STATUSES.map((s) => ({ value: s, text: AGREEMENT_STATUS_LABELS[s], selected: form.status === s }))],
      nextHref,
      continued: !!after,
      results: results?.map((r) => ({ ...r, statusLabel: AGREEMENT_STATUS_LABELS[r.status as keyof typeof AGREEMENT_STATUS_LABELS] ?? r.status })) ?? null,
    });
  }
}

/** The search's own query string with `after` set to the last agreement shown. */
function nextQuery(query: Record<string, unknown>, after: string): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (key === 'after') continue;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      // Date fields arrive as from[day], from[month], from[year] (parsed into an object).
      for (const [part, v] of Object.entries(value)) if (typeof v === 'string') params.append(`${key}[${part}]`, v);
    } else for (const v of Array.isArray(value) ? value : [value]) if (typeof v === 'string') params.append(key, v);
  }
  params.set('after', after);
  return params.toString();
}
