import { Get, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Authenticated, CurrentUser, Principal } from '@pcn/auth';
import { RoundQueriesService } from '@pcn/workflow';
import { PageController } from '../shell/page-controller.decorator';
import { groupTasks, TaskRow } from './task-groups';
import { isUuid } from '../rounds/round-words';

/** "My tasks": the landing page for everyone, and where old email links arrive. */
@PageController()
export class TasksPageController {
  constructor(private readonly rounds: RoundQueriesService) {}

  @Authenticated()
  @Get('tasks')
  async tasks(@CurrentUser() user: Principal, @Query('after') after: unknown, @Res() res: Response) {
    const page = await this.rounds.tasks(user, { after: typeof after === 'string' && isUuid(after) ? after : undefined });
    res.render('tasks', { pageTitle: 'My tasks', groups: groupTasks(page.items as TaskRow[], new Date()), breadcrumbs: [], nextHref: page.next ? `/tasks?after=${page.next}` : null });
  }

  /** Links in emails sent before the review page existed name one request: open its page. */
  @Authenticated()
  @Get('requests/:requestId')
  async request(@CurrentUser() user: Principal, @Param('requestId', new ParseUUIDPipe({ version: '4' })) requestId: string, @Res() res: Response) {
    const [row] = (await this.rounds.tasks(user, { requestId })).items;
    res.redirect(303, row ? `/review/${row.roundId}` : '/tasks');
  }
}
