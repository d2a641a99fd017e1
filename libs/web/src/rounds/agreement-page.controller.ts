import { Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AgreementsService, AgreementStatus, enumLabel, NetworkAgreementEntity } from '@pcn/agreements';
import { CurrentUser, hasPermission, organisationsWithRole, Permission, Principal, RequirePermission, UserRole } from '@pcn/auth';
import { CommonException, isAccessRefusal } from '@pcn/common';
import { DirectoryService } from '@pcn/directory';
import { DocumentsService, DocumentSummary } from '@pcn/documents';
import { RequestStatus, RoundProgress, RoundQueriesService, RoundStatus } from '@pcn/workflow';
import { PageController } from '../shell/page-controller.decorator';
import { agreementStatusTag, isUuid, organisationWithCode } from './round-words';

const EXECUTED_STATES: string[] = [AgreementStatus.Executed, AgreementStatus.Superseded, AgreementStatus.Terminated];

/** What the signed-in person may do with this agreement, for links and actions on the pages. */
export interface AgreementAbilities {
  /** May edit drafts of this PCN (clinical director, PCN manager, platform admin). */
  canDraft: boolean;
  /** May send, remind, withdraw, extend, restart and vary. */
  canSubmit: boolean;
}

/** The agreement (404 when this person may not read it) and what they may do with it. */
export async function agreementFor(agreements: AgreementsService, user: Principal, agreementId: string): Promise<{ agreement: NetworkAgreementEntity } & AgreementAbilities> {
  if (!isUuid(agreementId)) throw CommonException.notFound('Agreement');
  const agreement = await agreements.requireAgreement(user, agreementId, 'read');
  let drafter = false;
  try {
    await agreements.requireAgreement(user, agreementId, 'draft');
    drafter = true;
  } catch (error) {
    if (!isAccessRefusal(error)) throw error;
    drafter = false;
  }
  return { agreement, canDraft: drafter && hasPermission(user, Permission.AgreementDraft), canSubmit: drafter && hasPermission(user, Permission.AgreementSubmit) };
}

export const isOpenRound = (r: { status: RoundStatus }) => r.status === RoundStatus.Active || r.status === RoundStatus.Expired;

/** The agreement page: what it is, who is party to what, where its round stands, its sealed documents. */
@PageController('agreements')
export class AgreementPageController {
  constructor(
    private readonly agreements: AgreementsService,
    private readonly rounds: RoundQueriesService,
    private readonly directory: DirectoryService,
    private readonly documents: DocumentsService,
  ) {}

  @RequirePermission(Permission.AgreementRead)
  @Get(':agreementId')
  async show(@CurrentUser() user: Principal, @Param('agreementId') agreementId: string, @Res() res: Response) {
    const { agreement, canDraft, canSubmit } = await agreementFor(this.agreements, user, agreementId);
    const [revision, pcn, progress] = await Promise.all([
      this.agreements.revision(agreement.id, agreement.currentRevisionNumber),
      this.directory.getPcn(agreement.pcnId),
      this.rounds.roundProgress(user, agreement.id),
    ]);
    const content = revision.content;
    const annexPartyIds = content.annexes.flatMap((a) => a.parties.map((p) => p.organisationId));
    const organisations = new Map((await this.directory.organisationsByIds(annexPartyIds)).map((o) => [o.id, o]));
    const practices = (content.schedules.keyDetails.corePractices ?? []).map((p) => organisationWithCode(p.name, p.odsCode));
    const parts = [
      {
        kind: 'The agreement',
        title: content.title,
        parties: [...practices, `${organisationWithCode(pcn.name, pcn.odsCode)} — clinical director ${content.schedules.keyDetails.clinicalDirector.name || '(not named yet)'}`],
      },
      ...content.annexes.map((annex, i) => ({
        kind: `Data-sharing annex ${i + 1}`,
        title: annex.title,
        parties: annex.parties.map((p) => {
          const o = organisations.get(p.organisationId);
          return `${o ? organisationWithCode(o.name, o.odsCode) : 'An organisation no longer in the directory'} — ${enumLabel('DataRole', p.dataRole)}`;
        }),
        effectiveFrom: annex.effectiveFrom,
        reviewBy: annex.reviewBy,
      })),
    ];

    const open = progress.find(isOpenRound) ?? null;
    const roundSummary = open ? summariseRound(open) : null;
    const latestRound = progress[0] ?? null;

    let documents: DocumentSummary[] = [];
    if (EXECUTED_STATES.includes(agreement.status)) documents = await this.documents.listForAgreement(user, agreement.id).catch((error: unknown) => {
      if (!isAccessRefusal(error)) throw error;
      return [];
    });

    // The reason the last round ended (a decline with its reason) is for the PCN's own leads.
    const pcnLead = canDraft || organisationsWithRole(user, UserRole.ClinicalDirector, UserRole.PcnManager).includes(agreement.pcnId);
    const mine = new Set(user.grants.map((g) => g.organisationId).filter((id): id is string => !!id));
    const isParty = [...(content.schedules.keyDetails.corePractices ?? []).map((p) => p.organisationId), ...annexPartyIds].some((id) => mine.has(id));

    res.render('rounds/agreement', {
      pageTitle: `${agreement.title} (${agreement.reference})`,
      breadcrumbs: [
        { href: '/agreements', text: 'Agreements' },
        { href: `/pcns/${pcn.id}`, text: pcn.name },
      ],
      agreement,
      statusTag: agreementStatusTag(agreement.status),
      statusReason: pcnLead ? agreement.statusReason : null,
      pcn: { id: pcn.id, label: organisationWithCode(pcn.name, pcn.odsCode) },
      content: { financialYear: content.financialYear, effectiveFrom: content.effectiveFrom },
      parts,
      round: roundSummary,
      hasRounds: progress.length > 0,
      latestRound: latestRound && !open ? { statusLabel: latestRound.statusLabel, endedAt: latestRound.endedAt, revisionNumber: latestRound.revisionNumber } : null,
      documents: documents.map((d) => ({ id: d.id, reference: d.reference, title: d.title, kind: d.kind === 'ANNEX' ? 'Data-sharing annex' : 'The agreement', sealedAt: d.sealedAt, sizeKb: Math.max(1, Math.round(d.sizeBytes / 1024)) })),
      isExecuted: EXECUTED_STATES.includes(agreement.status),
      links: {
        edit: canDraft && agreement.status === AgreementStatus.Draft,
        send: canSubmit && agreement.status === AgreementStatus.Draft,
        audit: hasPermission(user, Permission.AuditRead) || isParty,
        variation: canSubmit && agreement.status === AgreementStatus.Executed,
      },
    });
  }
}

/** The open round in a few numbers: its step in words, when it is due, who has approved and who not yet. */
export function summariseRound(round: RoundProgress) {
  const signers = round.steps.flatMap((s) => s.signers);
  const step = round.steps.find((s) => s.step === round.currentStep);
  return {
    statusLabel: round.statusLabel,
    expired: round.status === RoundStatus.Expired,
    stepLabel: step?.label ?? '',
    stepNumber: round.currentStep,
    lastStep: round.lastStep,
    dueAt: round.dueAt,
    overdue: round.dueAt.getTime() < Date.now(),
    approved: signers.filter((s) => s.status === RequestStatus.Approved).length,
    pending: signers.filter((s) => s.status === RequestStatus.Pending).length,
    revisionNumber: round.revisionNumber,
  };
}
