import { Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Authenticated, CurrentUser, hasPermission, Permission, Principal } from '@pcn/auth';
import { CommonException } from '@pcn/common';
import { AuditService } from '@pcn/audit';
import { PageController } from '../shell/page-controller.decorator';
import { AGREEMENT_STATUS_LABELS } from './audit-narration';
import { AuditTrailLoader } from './audit-trail.loader';
import { RecordsAccessService } from './records-access.service';

/** An agreement's audit trail in words, with the hash chain's verdict, and its CSV. */
@PageController()
export class AuditTrailPageController {
  constructor(
    private readonly access: RecordsAccessService,
    private readonly trail: AuditTrailLoader,
    private readonly audit: AuditService,
  ) {}

  @Authenticated()
  @Get('agreements/:agreementId/audit')
  async show(@CurrentUser() user: Principal, @Param('agreementId') agreementId: string, @Res() res: Response) {
    const view = await this.access.view(user, agreementId);
    const { rows, chain, totalEvents } = await this.trail.load(view);
    const { agreement, pcn } = view;
    const full = view.kind === 'full';
    res.render('records/audit-trail', {
      pageTitle: `Audit trail: ${agreement.title}`,
      breadcrumbs: full ? [{ href: '/agreements', text: 'Agreements' }, { href: `/agreements/${agreement.id}`, text: agreement.title }] : [{ href: '/annexes', text: 'Data-sharing annexes' }],
      agreement,
      statusLabel: AGREEMENT_STATUS_LABELS[agreement.status] ?? agreement.status,
      pcn,
      full,
      annexes: view.kind === 'annexes' ? view.annexes : [],
      rows,
      chain,
      totalEvents,
      canDownloadCsv: full && hasPermission(user, Permission.AuditRead),
    });
  }

  /** The whole trail as CSV: the same rule as the API (audit readers of the PCN). */
  @Authenticated()
  @Get('agreements/:agreementId/audit.csv')
  async csv(@CurrentUser() user: Principal, @Param('agreementId') agreementId: string, @Res() res: Response) {
    const view = await this.access.view(user, agreementId);
    if (view.kind !== 'full' || !hasPermission(user, Permission.AuditRead)) throw CommonException.notFound('Agreement');
    const { agreement } = view;
    const lines = this.audit.csvForReader(user, agreement);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${agreement.reference}-audit.csv"`);
    for await (const line of lines) res.write(line);
    res.end();
  }
}
