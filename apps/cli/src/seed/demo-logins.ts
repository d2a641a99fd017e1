import { PersonRoleType } from '@pcn/directory';
import { BYTES, BYTES_PRACTICES, DGS_PCNS, PARTNER_ORGANISATIONS, SHARED_DPO } from './demo-directory';
import { SECOND_PCN } from './demo-second-pcn';

/** One demo login as people read it: their name, what they do in words, and the email to sign in with. */
export interface DemoLoginRow {
  name: string;
  role: string;
  email: string;
}

const PRACTICE_ROLE_WORDS: Partial<Record<PersonRoleType, string>> = {
  [PersonRoleType.Partner]: 'partner',
  [PersonRoleType.Director]: 'director',
  [PersonRoleType.SolePractitioner]: 'sole practitioner',
  [PersonRoleType.PracticeManager]: 'practice manager',
  [PersonRoleType.CaldicottGuardian]: 'Caldicott Guardian',
  [PersonRoleType.IgLead]: 'IG lead',
};
const PARTNER_ROLE_WORDS: Partial<Record<PersonRoleType, string>> = {
  [PersonRoleType.AuthorisedSignatory]: 'signatory',
  [PersonRoleType.Dpo]: 'Data Protection Officer',
  [PersonRoleType.CaldicottGuardian]: 'Caldicott Guardian',
};

/** "Partner and Caldicott Guardian": role words as they read mid-sentence, the first capitalised. */
const words = (roles: PersonRoleType[], map: Partial<Record<PersonRoleType, string>>) => {
  const list = roles.map((r) => map[r]).filter((w): w is string => !!w);
  const text = list.length > 1 ? `${list.slice(0, -1).join(', ')} and ${list.at(-1)}` : (list[0] ?? '');
  return text.charAt(0).toUpperCase() + text.slice(1);
};

/** Every demo login the seed creates, in the order someone trying the demo would want them. */
export function demoLoginRows(): DemoLoginRow[] {
  const rows: DemoLoginRow[] = [];
  const cd = BYTES_PRACTICES.flatMap((p) => p.people).find((m) => m.roles.includes(PersonRoleType.ClinicalDirector))!;
  const cdPractice = BYTES_PRACTICES.find((p) => p.people.includes(cd))!;
  rows.push({ name: cd.fullName, role: `Clinical director, ${BYTES.name} (partner, ${cdPractice.name})`, email: cd.email });
  rows.push({ name: 'Joanne Barker', role: `PCN manager, ${BYTES.name}`, email: 'pcn.manager@bytes.demo.nhs.uk' });
  for (const practice of BYTES_PRACTICES) {
    for (const member of practice.people) {
      if (member === cd) continue;
      rows.push({ name: member.fullName, role: `${words(member.roles, PRACTICE_ROLE_WORDS)}, ${practice.name}`, email: member.email });
    }
  }
  rows.push({ name: SHARED_DPO.fullName, role: `Data Protection Officer for all ${BYTES_PRACTICES.length} ${BYTES.name} practices`, email: SHARED_DPO.email });
  for (const organisation of PARTNER_ORGANISATIONS) {
    for (const member of organisation.people) rows.push({ name: member.fullName, role: `${words(member.roles, PARTNER_ROLE_WORDS)}, ${organisation.name}`, email: member.email });
  }
  for (const member of SECOND_PCN.people) {
    const role = member.account === 'cd' ? `Clinical director, ${DGS_PCNS[0].name} (partner, ${SECOND_PCN.practice.name})` : member.account === 'manager' ? `Practice manager and Data Protection Officer, ${SECOND_PCN.practice.name}` : `Partner and Caldicott Guardian, ${SECOND_PCN.practice.name}`;
    rows.push({ name: member.fullName, role, email: member.email });
  }
  rows.push({ name: 'ICB Auditor', role: 'Auditor, North East and North Cumbria ICB', email: 'auditor@icb-qhm.demo.nhs.uk' });
  rows.push({ name: 'National Internal Audit', role: 'Auditor, every ICB', email: 'auditor@national.demo.nhs.uk' });
  rows.push({ name: 'Platform Administrator', role: 'Platform administrator', email: 'admin@platform.demo.nhs.uk' });
  return rows;
}

/** The logins as a plain-text table with the one password they share, for the terminal. */
export function demoLoginTable(password: string, rows = demoLoginRows()): string {
  const width = (key: keyof DemoLoginRow) => Math.max(key.length, ...rows.map((r) => r[key].length));
  const [n, r] = [width('name'), width('role')];
  const line = (a: string, b: string, c: string) => `    ${a.padEnd(n)}  ${b.padEnd(r)}  ${c}`.trimEnd();
  return [
    `    Password for every demo login: ${password}   (demo only; never reuse it)`,
    '',
    line('Name', 'Role', 'Email'),
    line('-'.repeat(n), '-'.repeat(r), '-'.repeat(width('email'))),
    ...rows.map((row) => line(row.name, row.role, row.email)),
  ].join('\n');
}
