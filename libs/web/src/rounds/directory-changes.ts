import { DirectoryService, PersonRoleType } from '@pcn/directory';
import type { RoundProgress } from '@pcn/workflow';

/**
 * Signers still waiting in an open round who no longer hold any role at the organisation they
 * were asked for (a partner left mid-round): the round keeps the plan it was sent with, so the
 * clinical director is told what changed and what to do.
 */
export async function signersWhoLeft(directory: DirectoryService, open: RoundProgress | null): Promise<string[]> {
  if (!open) return [];
  const waiting = open.steps.flatMap((s) => s.signers).filter((s) => s.status === 'PENDING');
  if (waiting.length === 0) return [];
  const organisationIds = [...new Set(waiting.map((s) => s.organisationId))];
  const holders = await directory.peopleWithRoles(organisationIds, Object.values(PersonRoleType));
  const holds = new Set(holders.map((h) => `${h.personId}:${h.organisationId}`));
  const left = waiting.filter((s) => !holds.has(`${s.personId}:${s.organisationId}`));
  return [...new Set(left.map((s) => `${s.personName} no longer holds a role at ${s.organisationName}${s.odsCode ? ` (${s.odsCode})` : ''} in the directory, but is still asked in this round.`))];
}
