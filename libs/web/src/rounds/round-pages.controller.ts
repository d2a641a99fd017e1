import { Body, Get, Inject, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AgreementsService, AgreementStatus, NetworkAgreementEntity } from '@pcn/agreements';
import { CurrentUser, Permission, Principal, RequirePermission } from '@pcn/auth';
import { Actor, ActorContext, CommonException, DomainException } from '@pcn/common';
import { DirectoryService } from '@pcn/directory';
import { RoundCommandsService, RoundProgress, RoundQueriesService, RoundStatus, SignerPlanPreview, workflowConfig, WorkflowConfig } from '@pcn/workflow';
import { PageController } from '../shell/page-controller.decorator';
import { signersWhoLeft } from './directory-changes';
import { agreementFor, isOpenRound, summariseRound } from './agreement-page.controller';
import { agreementStatusTag, dateFieldsOf, organisationWithCode, parseDueDate, parseWholeNumber, ROUND_STATUS_TAG_CLASSES, signerStatusTag } from './round-words';

type Form = Record<string, unknown>;
type ErrorItem = { text: string; href: string };

/** What the progress page says after a successful action (`?done=`). */
const DONE: Record<string, string> = {
  sent: 'The agreement has been sent. Everyone in the first step has been emailed.',
  reminded: 'Reminders are on their way to everyone who has not acted yet.',
  nobody: 'Nobody in the current step is waiting, so no reminder was sent.',
  withdrawn: 'The approval round has been withdrawn. The agreement is a draft again.',
  extended: 'The due date has been changed.',
  restarted: 'A new approval round has started. Everyone has been asked again.',
};

/** Field paths the workflow service uses, mapped to the inputs on these pages. */
const FIELD_IDS: Record<string, string> = {
  dueAt: 'dueDate-day',
  firstReminderAfterDays: 'firstReminderAfterDays',
  reminderEveryDays: 'reminderEveryDays',
  maxReminders: 'maxReminders',
  message: 'message',
};

/** Sending an agreement for signature and running its approval round. */
@PageController('agreements')
export class RoundPagesController {
  constructor(
    private readonly agreements: AgreementsService,
    private readonly rounds: RoundCommandsService,
    private readonly roundQueries: RoundQueriesService,
    private readonly directory: DirectoryService,
    @Inject(workflowConfig.KEY) private readonly config: WorkflowConfig,
  ) {}

  private async drafterAgreement(user: Principal, agreementId: string): Promise<NetworkAgreementEntity> {
    const { agreement, canSubmit } = await agreementFor(this.agreements, user, agreementId);
    if (!canSubmit) throw CommonException.notFound('Agreement');
    return agreement;
  }

  // ---- who will sign, and sending ------------------------------------------------

  @RequirePermission(Permission.AgreementSubmit)
  @Get(':agreementId/send')
  async sendPage(@CurrentUser() user: Principal, @Param('agreementId') agreementId: string, @Query('countersign') countersign: string | undefined, @Res() res: Response) {
    const agreement = await this.drafterAgreement(user, agreementId);
    const defaults = {
      dueDate: dateFieldsOf(new Date(Date.now() + this.config.DEFAULT_DUE_DAYS * 86_400_000)),
      firstReminderAfterDays: String(this.config.DEFAULT_FIRST_REMINDER_DAYS),
      reminderEveryDays: String(this.config.DEFAULT_REMINDER_EVERY_DAYS),
      maxReminders: String(this.config.DEFAULT_MAX_REMINDERS),
      countersign: countersign === 'no' ? 'no' : 'yes',
      message: '',
    };
    await this.renderSend(res, user, agreement, defaults, 200);
  }

  @RequirePermission(Permission.AgreementSubmit)
  @Post(':agreementId/send')
  async send(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('agreementId') agreementId: string, @Body() body: Form, @Res() res: Response) {
    const agreement = await this.drafterAgreement(user, agreementId);
    const values = {
      dueDate: (body.dueDate && typeof body.dueDate === 'object' ? body.dueDate : {}) as Record<string, string>,
      firstReminderAfterDays: String(body.firstReminderAfterDays ?? ''),
      reminderEveryDays: String(body.reminderEveryDays ?? ''),
      maxReminders: String(body.maxReminders ?? ''),
      countersign: body.countersign === 'no' ? 'no' : body.countersign === 'yes' ? 'yes' : '',
      message: String(body.message ?? '').trim(),
    };
    const fieldErrors: Record<string, string> = {};
    const due = parseDueDate(values.dueDate);
    if ('error' in due) fieldErrors['dueDate-day'] = due.error;
    const first = parseWholeNumber(values.firstReminderAfterDays, 'the number of days before the first reminder', 1, 60);
    if ('error' in first) fieldErrors.firstReminderAfterDays = first.error;
    const every = parseWholeNumber(values.reminderEveryDays, 'the number of days between reminders', 1, 60);
    if ('error' in every) fieldErrors.reminderEveryDays = every.error;
    const max = parseWholeNumber(values.maxReminders, 'the most reminders to send', 0, 30);
    if ('error' in max) fieldErrors.maxReminders = max.error;
    if (!values.countersign) fieldErrors['countersign'] = 'Select whether the clinical director countersigns';
    if (values.message.length > 2000) fieldErrors.message = 'The message must be 2,000 characters or fewer';
    const revisionNumber = Number(body.revisionNumber);
    if (Object.keys(fieldErrors).length > 0 || 'error' in due || 'error' in first || 'error' in every || 'error' in max) {
      return this.renderSend(res, user, agreement, values, 422, fieldErrors);
    }
    try {
      await this.rounds.submit(
        user,
        agreement.id,
        {
          revisionNumber: Number.isInteger(revisionNumber) ? revisionNumber : 0,
          dueAt: due.date.toISOString(),
          firstReminderAfterDays: first.value,
          reminderEveryDays: every.value,
          maxReminders: max.value,
          clinicalDirectorCountersigns: values.countersign === 'yes',
          ...(values.message ? { message: values.message } : {}),
        },
        actor,
      );
    } catch (error) {
      if (error instanceof DomainException && (error.status === 409 || error.status === 422)) {
        return this.renderSend(res, user, agreement, values, error.status, this.fieldErrorsOf(error), [{ text: error.message, href: '#send-form' }]);
      }
      throw error;
    }
    res.redirect(303, `/agreements/${agreement.id}/progress?done=sent`);
  }

  private fieldErrorsOf(error: DomainException): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [path, messages] of Object.entries(error.fieldErrors ?? {})) {
      const id = FIELD_IDS[path];
      if (id && messages.length) out[id] = messages[0];
    }
    return out;
  }

  private async renderSend(res: Response, user: Principal, agreement: NetworkAgreementEntity, values: Form, status: number, fieldErrors: Record<string, string> = {}, extraErrors: ErrorItem[] = []) {
    const fresh = await this.agreements.requireAgreement(user, agreement.id, 'read');
    const pcn = await this.directory.getPcn(fresh.pcnId);
    const plan: SignerPlanPreview = await this.roundQueries.signerPlanPreview(user, fresh.id, { countersign: values.countersign !== 'no' });
    const isDraft = fresh.status === AgreementStatus.Draft;
    const order = ['dueDate-day', 'firstReminderAfterDays', 'reminderEveryDays', 'maxReminders', 'countersign', 'message'];
    const errors: ErrorItem[] = [
      ...extraErrors,
      ...plan.problems.map((text) => ({ text, href: '#signer-plan' })),
      ...order.filter((id) => fieldErrors[id]).map((id) => ({ text: fieldErrors[id], href: `#${id}` })),
    ];
    res.status(status).render('rounds/send', {
      pageTitle: `Send for signature: ${fresh.title}`,
      breadcrumbs: [
        { href: '/agreements', text: 'Agreements' },
        { href: `/pcns/${pcn.id}`, text: pcn.name },
        { href: `/agreements/${fresh.id}`, text: fresh.title },
      ],
      agreement: fresh,
      statusTag: agreementStatusTag(fresh.status),
      isDraft,
      plan: {
        ...plan,
        steps: plan.steps.map((s) => ({
          ...s,
          signers: s.signers.map((x) => ({ name: x.personName, organisation: organisationWithCode(x.organisationName, x.odsCode), capacity: x.capacityLabel, part: x.kind === 'annex' ? `Annex: ${x.partTitle}` : 'The agreement' })),
        })),
        total: plan.steps.reduce((n, s) => n + s.signers.length, 0),
        people: new Set(plan.steps.flatMap((s) => s.signers.map((x) => x.personId))).size,
      },
      canSend: isDraft && plan.canSend,
      values,
      errors,
      fieldErrors,
    });
  }

  // ---- progress ------------------------------------------------------------------

  @RequirePermission(Permission.AgreementRead)
  @Get(':agreementId/progress')
  async progressPage(@CurrentUser() user: Principal, @Param('agreementId') agreementId: string, @Query('done') done: string | undefined, @Res() res: Response) {
    const { agreement, canSubmit } = await agreementFor(this.agreements, user, agreementId);
    await this.renderProgress(res, user, agreement, canSubmit, 200, { done: done && DONE[done] ? DONE[done] : null });
  }

  private async renderProgress(
    res: Response,
    user: Principal,
    agreement: NetworkAgreementEntity,
    canSubmit: boolean,
    status: number,
    extra: { done?: string | null; errors?: ErrorItem[]; fieldErrors?: Record<string, string>; values?: Form } = {},
  ) {
    const pcn = await this.directory.getPcn(agreement.pcnId);
    const progress: RoundProgress[] = await this.roundQueries.roundProgress(user, agreement.id);
    const open = progress.find(isOpenRound) ?? null;
    const rounds = progress.map((round, index) => ({
      number: progress.length - index,
      open: isOpenRound(round),
      statusLabel: round.statusLabel,
      statusClasses: ROUND_STATUS_TAG_CLASSES[round.status] ?? 'nhsuk-tag--grey',
      revisionNumber: round.revisionNumber,
      submittedAt: round.submittedAt,
      dueAt: round.dueAt,
      endedAt: round.endedAt,
      endReason: canSubmit ? round.endReason : null,
      countersigns: round.countersigns,
      steps: round.steps.map((step) => ({
        step: step.step,
        label: step.label,
        current: step.current,
        signers: step.signers.map((s) => ({
          name: s.personName,
          organisation: organisationWithCode(s.organisationName, s.odsCode),
          capacity: s.capacityLabel,
          part: s.kind === 'annex' ? `Annex: ${s.partTitle}` : 'The agreement',
          status: signerStatusTag(s, step.step, round),
          sentAt: s.sentAt,
          viewedAt: s.viewedAt,
          actedAt: s.actedAt,
          declineReason: s.declineReason,
          delegatedToName: s.delegatedToName,
          delegatedFromName: s.delegatedFromName,
        })),
      })),
    }));
    const fieldErrors = extra.fieldErrors ?? {};
    res.status(status).render('rounds/progress', {
      pageTitle: `Progress: ${agreement.title}`,
      breadcrumbs: [
        { href: '/agreements', text: 'Agreements' },
        { href: `/pcns/${pcn.id}`, text: pcn.name },
        { href: `/agreements/${agreement.id}`, text: agreement.title },
      ],
      agreement,
      statusTag: agreementStatusTag(agreement.status),
      summary: open ? summariseRound(open) : null,
      rounds,
      actions: {
        remind: canSubmit && open?.status === RoundStatus.Active,
        withdraw: canSubmit && !!open,
        extend: canSubmit && !!open,
        restart: canSubmit && open?.status === RoundStatus.Expired,
        variation: canSubmit && agreement.status === AgreementStatus.Executed,
        send: canSubmit && agreement.status === AgreementStatus.Draft,
      },
      // People changes since the round was sent (a partner left): shown to those who run the round.
      directoryChanges: canSubmit ? await signersWhoLeft(this.directory, open) : [],
      extendDefault: extra.values?.dueAt ?? (open ? dateFieldsOf(new Date(Math.max(open.dueAt.getTime(), Date.now()) + 7 * 86_400_000)) : {}),
      withdrawReason: extra.values?.reason ?? '',
      done: extra.done ?? null,
      errors: extra.errors ?? [],
      fieldErrors,
    });
  }

  /** Runs an action of the progress page; a refusal the person can act on is shown on the page, everything else falls to the error pages. */
  private async act(res: Response, user: Principal, agreementId: string, action: (agreement: NetworkAgreementEntity) => Promise<string>, formErrors: (agreement: NetworkAgreementEntity) => { fieldErrors: Record<string, string>; values: Form } | null = () => null) {
    const { agreement, canSubmit } = await agreementFor(this.agreements, user, agreementId);
    if (!canSubmit) throw CommonException.notFound('Agreement');
    const invalid = formErrors(agreement);
    if (invalid && Object.keys(invalid.fieldErrors).length > 0) {
      const errors = Object.entries(invalid.fieldErrors).map(([id, text]) => ({ text, href: `#${id}` }));
      return this.renderProgress(res, user, agreement, canSubmit, 422, { errors, fieldErrors: invalid.fieldErrors, values: invalid.values });
    }
    let location: string;
    try {
      location = await action(agreement);
    } catch (error) {
      if (error instanceof DomainException && (error.status === 409 || error.status === 422)) {
        const fresh = await this.agreements.requireAgreement(user, agreement.id, 'read');
        return this.renderProgress(res, user, fresh, canSubmit, error.status, { errors: [{ text: error.message, href: '#actions' }], values: invalid?.values });
      }
      throw error;
    }
    res.redirect(303, location);
  }

  @RequirePermission(Permission.AgreementSubmit)
  @Post(':agreementId/remind')
  async remind(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('agreementId') agreementId: string, @Res() res: Response) {
    await this.act(res, user, agreementId, async (agreement) => {
      const outcome = await this.rounds.remindNow(user, agreement.id, actor);
      return `/agreements/${agreement.id}/progress?done=${outcome.requests > 0 ? 'reminded' : 'nobody'}`;
    });
  }

  @RequirePermission(Permission.AgreementSubmit)
  @Post(':agreementId/withdraw')
  async withdraw(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('agreementId') agreementId: string, @Body() body: Form, @Res() res: Response) {
    const reason = String(body.reason ?? '').trim();
    await this.act(
      res,
      user,
      agreementId,
      async (agreement) => {
        await this.rounds.withdraw(user, agreement.id, reason, actor);
        return `/agreements/${agreement.id}/progress?done=withdrawn`;
      },
      () => {
        const fieldErrors: Record<string, string> = {};
        if (!reason) fieldErrors['withdraw-reason'] = 'Enter why you are withdrawing the approval round';
        else if (reason.length < 5) fieldErrors['withdraw-reason'] = 'The reason must be at least 5 characters';
        else if (reason.length > 2000) fieldErrors['withdraw-reason'] = 'The reason must be 2,000 characters or fewer';
        return { fieldErrors, values: { reason } };
      },
    );
  }

  @RequirePermission(Permission.AgreementSubmit)
  @Post(':agreementId/extend')
  async extend(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('agreementId') agreementId: string, @Body() body: Form, @Res() res: Response) {
    const due = parseDueDate(body.dueAt, 'new due date');
    await this.act(
      res,
      user,
      agreementId,
      async (agreement) => {
        if ('error' in due) throw new Error('unreachable');
        await this.rounds.extend(user, agreement.id, due.date.toISOString(), actor);
        return `/agreements/${agreement.id}/progress?done=extended`;
      },
      () => ({ fieldErrors: ('error' in due ? { 'dueAt-day': due.error } : {}) as Record<string, string>, values: { dueAt: body.dueAt && typeof body.dueAt === 'object' ? body.dueAt : {} } }),
    );
  }

  @RequirePermission(Permission.AgreementSubmit)
  @Post(':agreementId/restart')
  async restart(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('agreementId') agreementId: string, @Res() res: Response) {
    await this.act(res, user, agreementId, async (agreement) => {
      await this.rounds.restart(user, agreement.id, {}, actor);
      return `/agreements/${agreement.id}/progress?done=restarted`;
    });
  }

  @RequirePermission(Permission.AgreementSubmit)
  @Post(':agreementId/variation')
  async variation(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('agreementId') agreementId: string, @Res() res: Response) {
    await this.act(res, user, agreementId, async (agreement) => {
      const { agreement: draft } = await this.agreements.createVariation(user, agreement.id, actor);
      return `/agreements/${draft.id}/edit`;
    });
  }
}
