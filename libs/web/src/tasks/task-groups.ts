/** One row of RoundQueriesService.tasks(): a request waiting for this person now. */
export interface TaskRow {
  requestId: string;
  roundId: string;
  kind: string;
  scope: string;
  annexTitle: string | null;
  step: number;
  /** What the step is called, from the phase stored on the request (never from its number). */
  stepLabel: string;
  capacity: string;
  organisationName: string;
  dueAt: string | Date;
  remindersSent: number;
  viewedAt: string | Date | null;
  agreementId: string;
  agreementReference: string;
  agreementTitle: string;
  pcnName: string;
}

export interface TaskGroup {
  roundId: string;
  agreementTitle: string;
  agreementReference: string;
  pcnName: string;
  stepLabel: string;
  dueAt: Date;
  overdue: boolean;
  remindersSent: number;
  /** What the person is asked to approve, in words: "Network agreement for Yarm Medical Practice". */
  items: string[];
  opened: boolean;
}


/** Groups a person's waiting requests by agreement round and step, soonest due first. */
export function groupTasks(rows: TaskRow[], now: Date): TaskGroup[] {
  const groups = new Map<string, TaskGroup>();
  for (const row of rows) {
    const key = `${row.roundId}:${row.step}`;
    let group = groups.get(key);
    if (!group) {
      const dueAt = new Date(row.dueAt);
      group = { roundId: row.roundId, agreementTitle: row.agreementTitle, agreementReference: row.agreementReference, pcnName: row.pcnName, stepLabel: row.stepLabel, dueAt, overdue: dueAt.getTime() < now.getTime(), remindersSent: 0, items: [], opened: true };
      groups.set(key, group);
    }
    group.remindersSent = Math.max(group.remindersSent, Number(row.remindersSent) || 0);
    group.opened = group.opened && row.viewedAt !== null;
    const part = row.annexTitle ? row.annexTitle : 'The network agreement';
    group.items.push(`${part}, for ${row.organisationName}`);
  }
  return [...groups.values()].sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
}
