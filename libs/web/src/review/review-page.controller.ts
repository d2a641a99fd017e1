import { Body, Get, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Authenticated, CurrentUser, Principal } from '@pcn/auth';
import { Actor, ActorContext, DomainException } from '@pcn/common';
import { DelegateCandidate, RequestScope, RequestStatus, RequestActionsService, ReviewService, ReviewStep, RoundQueriesService, RoundStatus, SignerCapacity, WorkflowErrorCode } from '@pcn/workflow';
import { PageController } from '../shell/page-controller.decorator';
import { REVIEW_LABEL, ReviewDocumentService } from './review-document.service';

const uuid = new ParseUUIDPipe({ version: '4' });

type Fields = Record<string, string>;
interface PageErrors {
  errors: { text: string; href: string }[];
  fieldErrors: Fields;
}
interface FormState {
  form?: 'approve' | 'decline' | 'delegate';
  typedName?: string;
  ticked?: Set<string>;
  reason?: string;
  declinePart?: string;
  delegateChoice?: string;
  notice?: { title: string; text: string };
}

/** A form value that may arrive once (a string) or many times (an array, or an object when qs met more than 20). */
function list(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'object') return Object.values(value as Record<string, unknown>).map(String);
  return [String(value)];
}
const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
const record = (value: unknown): Fields => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : {});

const ROUND_ENDED: Partial<Record<RoundStatus, string>> = {
  [RoundStatus.Withdrawn]: 'The clinical director withdrew this approval round, so nothing more can be approved in it.',
  [RoundStatus.Declined]: 'Someone declined this agreement, so this approval round has stopped. The clinical director will send a corrected version if one is needed.',
  [RoundStatus.Expired]: 'This approval round passed its due date before everyone had approved. The clinical director can extend it or start it again.',
  [RoundStatus.Completed]: 'Everyone has approved. The sealed documents are being issued; you will get an email when they are ready.',
  [RoundStatus.Restarted]: 'This approval round was replaced by a newer version of the agreement. Look in your tasks for the new request.',
};

/**
 * Review and sign: one page per person per round step. It shows the text the person is
 * asked to approve (from the same document model as the PDF), what changed since they last
 * saw it, and one form that approves every part at once, with decline and delegate beside it.
 */
@PageController('review')
export class ReviewPageController {
  constructor(
    private readonly review: ReviewService,
    private readonly rounds: RequestActionsService,
    private readonly roundQueries: RoundQueriesService,
    private readonly documents: ReviewDocumentService,
  ) {}

  @Authenticated()
  @Get(':roundId')
  async page(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('roundId', uuid) roundId: string, @Query('done') done: string | undefined, @Res() res: Response) {
    const step = await this.review.reviewStep(user, roundId, actor);
    if (done === 'approved' || done === 'declined' || done === 'delegated') {
      const acted = step.actedRequests.filter((r) => r.status === (done === 'approved' ? RequestStatus.Approved : done === 'declined' ? RequestStatus.Declined : RequestStatus.Delegated));
      if (acted.length > 0 && (!step.canAct || done !== 'approved')) return this.renderDone(res, step, done, acted);
      if (acted.length > 0) return this.renderPage(res, user, step, { notice: { title: 'Approval recorded', text: `You approved ${acted.length === 1 ? 'one request' : `${acted.length} requests`}. The rest are still waiting for you below.` } });
    }
    if (!step.canAct) return this.renderClosed(res, step, 200);
    return this.renderPage(res, user, step, {});
  }

  @Authenticated()
  @Post(':roundId/approve')
  async approve(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('roundId', uuid) roundId: string, @Body() body: Record<string, unknown>, @Res() res: Response) {
    const typedName = text(body.typedName);
    const ticked = list(body.approve);
    const hashes = record(body.hash);
    const capacities = record(body.capacity);
    const state: FormState = { form: 'approve', typedName, ticked: new Set(ticked) };
    const problems: PageErrors = { errors: [], fieldErrors: {} };
    const add = (id: string, message: string) => {
      if (problems.fieldErrors[id]) return;
      problems.errors.push({ text: message, href: `#${id}` });
      problems.fieldErrors[id] = message;
    };
    if (ticked.length === 0) add('approve', 'Select at least one organisation to approve for');
    if (!typedName) add('typedName', 'Enter your full name');
    if (body.confirmAuthority !== 'yes') add('confirmAuthority', 'Confirm that you are authorised to sign for the organisations you approve for');
    if (problems.errors.length) return this.refuse(res, user, actor, roundId, state, problems);

    const approvals = ticked.map((requestId) => ({ requestId, hash: String(hashes[requestId] ?? ''), capacity: String(capacities[requestId] ?? '') as SignerCapacity }));
    try {
      await this.rounds.approveMany(user, { approvals, typedName, confirmAuthority: true }, actor, { requireViewed: true });
    } catch (err) {
      if (!(err instanceof DomainException) || err.status === 404) throw err;
      if (err.code === WorkflowErrorCode.HashMismatch) {
        return this.refuse(res, user, actor, roundId, { notice: { title: 'This has changed since you opened it', text: 'The text you read is no longer the text waiting for your approval, so nothing was recorded. Read the current version below and approve it if you agree.' } }, { errors: [], fieldErrors: {} }, 409);
      }
      if (err.code === WorkflowErrorCode.NotViewed) {
        return this.refuse(res, user, actor, roundId, { notice: { title: 'Read the document first', text: 'Nothing was recorded: open this page and read what you are asked to approve before approving it.' } }, { errors: [], fieldErrors: {} }, 409);
      }
      if (err.status === 409) return this.refuse(res, user, actor, roundId, {}, { errors: [], fieldErrors: {} }, 409);
      for (const [field, messages] of Object.entries(err.fieldErrors ?? {})) {
        const id = field === 'typedName' ? 'typedName' : field === 'confirmAuthority' ? 'confirmAuthority' : 'approve';
        add(id, messages[0] ?? err.message);
      }
      if (problems.errors.length === 0) add('approve', err.message);
      return this.refuse(res, user, actor, roundId, state, problems);
    }
    res.redirect(303, `/review/${roundId}?done=approved`);
  }

  @Authenticated()
  @Post(':roundId/decline')
  async decline(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('roundId', uuid) roundId: string, @Body() body: Record<string, unknown>, @Res() res: Response) {
    const reason = text(body.reason);
    const requestId = text(body.part);
    const state: FormState = { form: 'decline', reason, declinePart: requestId };
    const problems: PageErrors = { errors: [], fieldErrors: {} };
    if (!requestId) problems.errors.push({ text: 'Select what you are declining', href: '#part' });
    if (!requestId) problems.fieldErrors.part = 'Select what you are declining';
    if (reason.length < 5) {
      const message = reason ? 'The reason must be at least 5 characters' : 'Enter why you are declining, so the clinical director can put it right';
      problems.errors.push({ text: message, href: '#reason' });
      problems.fieldErrors.reason = message;
    } else if (reason.length > 2000) {
      problems.errors.push({ text: 'The reason must be 2,000 characters or fewer', href: '#reason' });
      problems.fieldErrors.reason = 'The reason must be 2,000 characters or fewer';
    }
    if (problems.errors.length) return this.refuse(res, user, actor, roundId, state, problems);
    try {
      await this.rounds.decline(user, requestId, reason, actor);
    } catch (err) {
      if (!(err instanceof DomainException) || err.status === 404) throw err;
      return this.refuse(res, user, actor, roundId, {}, { errors: [], fieldErrors: {} }, err.status);
    }
    res.redirect(303, `/review/${roundId}?done=declined`);
  }

  @Authenticated()
  @Post(':roundId/delegate')
  async delegate(@CurrentUser() user: Principal, @Actor() actor: ActorContext, @Param('roundId', uuid) roundId: string, @Body() body: Record<string, unknown>, @Res() res: Response) {
    const choice = text(body.delegateTo);
    const [requestId, personId] = choice.split('.');
    const state: FormState = { form: 'delegate', delegateChoice: choice };
    if (!requestId || !personId) return this.refuse(res, user, actor, roundId, state, { errors: [{ text: 'Select the colleague who should approve instead of you', href: '#delegateTo' }], fieldErrors: { delegateTo: 'Select the colleague who should approve instead of you' } });
    try {
      await this.rounds.delegate(user, requestId, personId, text(body.note) || undefined, actor);
    } catch (err) {
      if (!(err instanceof DomainException) || err.status === 404) throw err;
      if (err.status === 422) return this.refuse(res, user, actor, roundId, state, { errors: [{ text: err.message, href: '#delegateTo' }], fieldErrors: { delegateTo: err.message } });
      return this.refuse(res, user, actor, roundId, {}, { errors: [], fieldErrors: {} }, err.status);
    }
    res.redirect(303, `/review/${roundId}?done=delegated`);
  }

  /** The PDF of exactly this revision for one part the person is party to in this round. */
  @Authenticated()
  @Get(':roundId/document/:file')
  async pdf(@CurrentUser() user: Principal, @Param('roundId', uuid) roundId: string, @Param('file') file: string, @Res() res: Response) {
    const match = /^(agreement|[0-9a-f-]{36})\.pdf$/.exec(file);
    const mine = match && user.personId ? await this.roundQueries.requestsOfPersonInRound(roundId, user.personId) : [];
    const part = match?.[1];
    const allowed = part === 'agreement' ? mine.some((r) => r.scope === RequestScope.Agreement) : mine.some((r) => r.scope === RequestScope.Annex && r.annexId === part);
    if (!match || !allowed) return res.status(404).render('errors/404');
    const { pdf, fileName } = await this.documents.pdf(roundId, part === 'agreement' ? { scope: RequestScope.Agreement, annexId: null } : { scope: RequestScope.Annex, annexId: part! });
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `inline; filename="${fileName.replace(/[^A-Za-z0-9._-]/g, '_')}"`);
    res.setHeader('Cache-Control', 'private, no-store');
    res.end(pdf);
  }

  // ---------------------------------------------------------------- rendering

  /** A refused post: the page again (its current state) with the errors, or the closed page when nothing is left to do. */
  private async refuse(res: Response, user: Principal, actor: ActorContext, roundId: string, state: FormState, problems: PageErrors, status = 422) {
    const step = await this.review.reviewStep(user, roundId, actor);
    if (!step.canAct) return this.renderClosed(res, step, status === 422 ? 409 : status);
    return this.renderPage(res, user, step, state, problems, status);
  }

  private async renderPage(res: Response, user: Principal, step: ReviewStep, state: FormState, problems: PageErrors = { errors: [], fieldErrors: {} }, status = 200) {
    const { model } = await this.documents.model(step.round.id);
    const document = this.documents.document(model, step.parts);
    const changes = await this.documents.changes(step.agreement.id, step.previousRevisionNumber, step.round.revisionNumber, step.parts);
    const parts = await Promise.all(
      step.parts.map(async (part, index) => {
        const section = part.kind === 'annex' && part.annexId ? document.annexes[part.annexId] : undefined;
        const delegation = await Promise.all(part.requests.map(async (r) => ({ request: r, candidates: await this.review.delegateCandidates(user, r.requestId).catch((): DelegateCandidate[] => []) })));
        return {
          ...part,
          index,
          heading: part.kind === 'agreement' ? `${step.agreement.title}: clauses and schedules 1 to 7` : (section?.title ?? part.title),
          forText: forText(part.requests),
          sectionId: part.kind === 'agreement' ? 'agreement-text' : `annex-text-${index}`,
          pdfHref: `/review/${step.round.id}/document/${part.kind === 'agreement' ? 'agreement' : part.annexId}.pdf`,
          section,
          delegation,
        };
      }),
    );
    const organisations = [...new Map(step.parts.flatMap((p) => p.requests).map((r) => [r.organisationId, orgLabel(r)])).values()];
    const ticked = state.ticked ?? new Set(step.parts.flatMap((p) => p.requests.map((r) => r.requestId)));
    const delegateItems = parts.flatMap((p) =>
      p.delegation.flatMap((d) =>
        d.candidates.map((c) => {
          const value = `${d.request.requestId}.${c.personId}`;
          return { value, text: `${c.fullName} (${c.roleLabel})`, hint: { text: `Instead of you, as ${d.request.capacityLabel} for ${orgLabel(d.request)}: ${p.heading}` }, checked: state.delegateChoice === value };
        }),
      ),
    );
    const declineItems = parts.map((p) => ({ value: p.requests[0].requestId, text: p.heading, checked: state.declinePart === p.requests[0].requestId }));
    res.status(status).render('review/page', {
      pageTitle: `Review and approve: ${step.agreement.title}`,
      breadcrumbs: [{ href: '/tasks', text: 'My tasks' }],
      step,
      parts,
      agreementText: document.agreement,
      changes,
      reviewLabel: REVIEW_LABEL,
      organisationsText: joinWords(organisations),
      ticked: [...ticked],
      typedName: state.typedName ?? '',
      reason: state.reason ?? '',
      declinePart: state.declinePart ?? '',
      delegateChoice: state.delegateChoice ?? '',
      openForm: state.form,
      notice: state.notice,
      delegateItems,
      firstMulti: parts.findIndex((p) => p.requests.length > 1),
      declineItems,
      errors: problems.errors,
      fieldErrors: problems.fieldErrors,
    });
  }

  private renderClosed(res: Response, step: ReviewStep, status: number) {
    const ended = step.round.status !== RoundStatus.Active ? ROUND_ENDED[step.round.status] : undefined;
    const approvedNow = step.actedRequests.filter((r) => r.step === step.round.currentStep && r.status === RequestStatus.Approved);
    let title = 'Nothing is waiting for you in this round';
    let message: string;
    if (ended) {
      title = step.round.status === RoundStatus.Completed ? 'Everyone has approved this agreement' : 'This approval round has ended';
      message = ended;
    } else if (step.laterRequestCount > 0) {
      title = 'It is not your turn yet';
      message = `You will be asked to approve at a later step of this round. The current step is “${step.stepLabel}”. You will get an email when it is your turn.`;
    } else if (approvedNow.length > 0 || step.actedRequests.length > 0) {
      message = 'You have already acted on everything this round asks of you. You will get an email when the agreement is sealed.';
    } else {
      message = 'The round has moved on to a step that does not need you.';
    }
    res.status(status).render('review/closed', {
      pageTitle: title,
      breadcrumbs: [{ href: '/tasks', text: 'My tasks' }],
      title,
      message,
      step,
      acted: step.actedRequests,
    });
  }

  private renderDone(res: Response, step: ReviewStep, done: 'approved' | 'declined' | 'delegated', acted: ReviewStep['actedRequests']) {
    const titles = { approved: 'You have approved', declined: 'You have declined', delegated: 'You have passed this on' };
    res.render('review/done', {
      pageTitle: `${titles[done]}: ${step.agreement.title}`,
      breadcrumbs: [{ href: '/tasks', text: 'My tasks' }],
      done,
      title: titles[done],
      step,
      acted,
    });
  }
}

const orgLabel = (r: { organisationName: string; odsCode: string | null }) => (r.odsCode ? `${r.organisationName} (${r.odsCode})` : r.organisationName);

/** "for Yarm Medical Practice (A81001), as Partner"; one capacity named once when all share it. */
function forText(requests: { organisationName: string; odsCode: string | null; capacityLabel: string }[]): string {
  const capacities = new Set(requests.map((r) => r.capacityLabel));
  if (capacities.size === 1) return `for ${joinWords(requests.map(orgLabel))}, as ${requests[0].capacityLabel}`;
  return `for ${joinWords(requests.map((r) => `${orgLabel(r)} as ${r.capacityLabel}`))}`;
}

/** "A", "A and B", "A, B and C". */
export function joinWords(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
