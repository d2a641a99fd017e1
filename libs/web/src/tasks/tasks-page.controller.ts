import { Get, Param, ParseUUIDPipe, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Authenticated, CurrentUser, Principal } from '@pcn/auth';
import { RoundQueriesService } from '@pcn/workflow';
import { PageController } from '../shell/page-controller.decorator';
import { groupTasks, TaskRow } from './task-groups';

/** "My tasks": the landing page for everyone, and where old email links arrive. */
@PageController()
export class TasksPageController {
  constructor(private readonly rounds: RoundQueriesService) {}

  @Authenticated()
  @Get('tasks')
  async tasks(@CurrentUser() user: Principal, @Res() res: Response) {
    const rows = (await this.rounds.tasks(user)) as TaskRow[];
    res.render('tasks', { pageTitle: 'My tasks', groups: groupTasks(rows, new Date()), breadcrumbs: [] });
  }

  /** Links in emails sent before the review page existed name one request: open its page. */
  @Authenticated()
  @Get('requests/:requestId')
  async request(@CurrentUser() user: Principal, @Param('requestId', new ParseUUIDPipe({ version: '4' })) requestId: string, @Res() res: Response) {
    const rows = (await this.rounds.tasks(user)) as TaskRow[];
    const row = rows.find((r) => r.requestId === requestId);
    res.redirect(303, row ? `/review/${row.roundId}` : '/tasks');
  }
}
