import { groupTasks, TaskRow } from '../task-groups';

const row = (over: Partial<TaskRow>): TaskRow => ({
  requestId: 'r1', roundId: 'round-1', kind: 'SIGNATURE', scope: 'AGREEMENT', annexTitle: null, step: 2, stepLabel: 'Member practice and partner signatures',
  capacity: 'PARTNER', organisationName: 'Yarm Medical Practice', dueAt: '2026-12-10T12:00:00Z', remindersSent: 0, viewedAt: null,
  agreementId: 'a1', agreementReference: 'NA-U70101-2026-0001', agreementTitle: 'BYTES Network Agreement 2026/27', pcnName: 'BYTES PCN', ...over,
});

describe('groupTasks', () => {
  it('puts one person\'s requests of one round step on one card, soonest due first, with the step in words', () => {
    const now = new Date('2026-12-05T00:00:00Z');
    const groups = groupTasks(
      [
        row({ requestId: 'r1' }),
        row({ requestId: 'r2', annexTitle: 'Annex A: Data sharing for direct care', remindersSent: 2, viewedAt: '2026-12-02T10:00:00Z' }),
        row({ requestId: 'r3', roundId: 'round-0', step: 1, stepLabel: 'Information governance review', dueAt: '2026-12-01T12:00:00Z', organisationName: 'Kirklevington Surgery' }),
      ],
      now,
    );
    expect(groups.map((g) => [g.roundId, g.stepLabel, g.overdue, g.remindersSent, g.opened, g.items])).toEqual([
      ['round-0', 'Information governance review', true, 0, false, ['The network agreement, for Kirklevington Surgery']],
      ['round-1', 'Member practice and partner signatures', false, 2, false, ['The network agreement, for Yarm Medical Practice', 'Annex A: Data sharing for direct care, for Yarm Medical Practice']],
    ]);
  });

});
