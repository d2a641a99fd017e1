import { TestApp } from './test-app';
import { eventually } from './test-worker';
import { approveEverything, EMAIL, tokenFor } from './workflow-scenario';

/**
 * Drives the BYTES demo agreement (loaded with loadBytes) to executed with its parts sealed:
 * the clinical director submits revision 1, every signer approves over HTTP, and the worker
 * (which must be running) generates and stores the documents. Returns the submit response's status.
 */
export async function executeDemoAgreement(t: TestApp, agreementId: string, timeoutMs = 60_000): Promise<number> {
  const submitted = await t.http
    .post(`/api/v1/agreements/${agreementId}/submit`)
    .set('Authorization', `Bearer ${await tokenFor(t.http, EMAIL.cd)}`)
    .send({ revisionNumber: 1, dueAt: new Date(Date.now() + 3_600_000).toISOString(), maxReminders: 0 });
  if (submitted.status !== 201) return submitted.status;
  await approveEverything(t.http);
  await eventually('documents generated', async () => {
    const [row] = await t.dataSource.query(`SELECT document_status FROM agreement_execution WHERE agreement_id = $1`, [agreementId]);
    return row?.document_status === 'GENERATED';
  }, timeoutMs);
  return submitted.status;
}
