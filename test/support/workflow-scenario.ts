import type TestAgent from 'supertest/lib/agent';
import { AuthService } from '@pcn/auth';
import { AgreementsService } from '@pcn/agreements';
import { DirectoryService } from '@pcn/directory';
import { loadDemoData, DemoData } from '../../apps/cli/src/seed/seed-demo';
import { TestApp } from './test-app';

export const DEMO_PASSWORD = 'e2e-demo-password';

/** The BYTES demo PCN (4 practices, one a two-partner partnership, a community trust in the annex). */
export async function loadBytes(t: TestApp): Promise<DemoData> {
  return loadDemoData({ directory: t.app.get(DirectoryService), auth: t.app.get(AuthService), agreements: t.app.get(AgreementsService) }, DEMO_PASSWORD);
}

const tokens = new Map<string, string>();

/** A signed-in user's access token (cached per test file). */
export async function tokenFor(http: TestAgent, email: string, password = DEMO_PASSWORD): Promise<string> {
  const cached = tokens.get(email);
  if (cached) return cached;
  const res = await http.post('/api/v1/auth/login').send({ email, password });
  if (res.status !== 200) throw new Error(`login ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  tokens.set(email, res.body.accessToken);
  return res.body.accessToken;
}

export const EMAIL = {
  cd: 'amira.okafor@yarm.demo.nhs.uk',
  whitfield: 'thomas.whitfield@yarm.demo.nhs.uk',
  raman: 'priya.raman@eaglescliffe.demo.nhs.uk',
  pritchard: 'owen.pritchard@eaglescliffe.demo.nhs.uk',
  adeyemi: 'samuel.adeyemi@tbmg.demo.nhs.uk',
  lindqvist: 'margaret.lindqvist@parklane.demo.nhs.uk',
  dpo: 'fiona.gallagher@dpo.demo.nhs.uk',
  trustSignatory: 'grace.holloway@tvch.demo.nhs.uk',
  trustDpo: 'daniel.osei@tvch.demo.nhs.uk',
  trustCaldicott: 'ruth.castellano@tvch.demo.nhs.uk',
  manager: 'pcn.manager@bytes.demo.nhs.uk',
  admin: 'admin@platform.demo.nhs.uk',
  auditor: 'auditor@icb-qhm.demo.nhs.uk',
};

/** Every person who takes part in a BYTES round (login emails). */
export const ROUND_PEOPLE = [EMAIL.cd, EMAIL.whitfield, EMAIL.raman, EMAIL.adeyemi, EMAIL.lindqvist, EMAIL.dpo, EMAIL.trustSignatory, EMAIL.trustDpo, EMAIL.trustCaldicott];

export interface Task {
  requestId: string;
  hashToConfirm: string;
  capacity: string;
  step: number;
  kind: string;
}

/** Approves every task currently waiting for this user, as that user would on the review page. */
export async function approveAllTasks(http: TestAgent, email: string, fullName: string): Promise<number> {
  const token = await tokenFor(http, email);
  const tasks = await http.get('/api/v1/me/tasks').set('Authorization', `Bearer ${token}`);
  if (tasks.status !== 200) throw new Error(`tasks for ${email}: ${tasks.status}`);
  for (const task of tasks.body as Task[]) {
    const res = await http
      .post(`/api/v1/requests/${task.requestId}/approve`)
      .set('Authorization', `Bearer ${token}`)
      .send({ typedName: fullName, capacity: task.capacity, confirmAuthority: true, hash: task.hashToConfirm });
    if (res.status !== 200) throw new Error(`approve ${task.requestId} by ${email}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return (tasks.body as Task[]).length;
}

export const FULL_NAME: Record<string, string> = {
  [EMAIL.cd]: 'Dr Amira Okafor',
  [EMAIL.whitfield]: 'Dr Thomas Whitfield',
  [EMAIL.raman]: 'Dr Priya Raman',
  [EMAIL.pritchard]: 'Dr Owen Pritchard',
  [EMAIL.adeyemi]: 'Dr Samuel Adeyemi',
  [EMAIL.lindqvist]: 'Dr Margaret Lindqvist',
  [EMAIL.dpo]: 'Fiona Gallagher',
  [EMAIL.trustSignatory]: 'Grace Holloway',
  [EMAIL.trustDpo]: 'Daniel Osei',
  [EMAIL.trustCaldicott]: 'Dr Ruth Castellano',
};

/** Approves, in rounds of passes, everything anyone in the round can approve now, until nothing is left. */
export async function approveEverything(http: TestAgent, people = ROUND_PEOPLE): Promise<number> {
  let total = 0;
  for (let pass = 0; pass < 5; pass++) {
    let approved = 0;
    for (const email of people) approved += await approveAllTasks(http, email, FULL_NAME[email]);
    total += approved;
    if (approved === 0) break;
  }
  return total;
}
