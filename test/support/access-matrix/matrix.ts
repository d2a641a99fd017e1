/*
 * The access matrix: the one source of truth for who may call which route. The test
 * (test/e2e/access-matrix.e2e-spec.ts) calls every route as every column and asserts the
 * outcome written here; docs/access-matrix.md is generated from this file
 * (`node -r ./scripts/ts-register.js test/support/access-matrix/write-doc.ts`).
 */

/** Who calls, and how they relate to the record the route is about (a BYTES PCN record unless the row says otherwise). */
export const COLUMNS = [
  'anonymous',
  'clinicalDirector',
  'pcnManager',
  'practiceManager',
  'gpPartner',
  'igOfficer',
  'partnerSignatory',
  'otherPcn',
  'auditorInScope',
  'auditorOutOfScope',
  'platformAdmin',
] as const;
export type Column = (typeof COLUMNS)[number];

export const COLUMN_TITLES: Record<Column, string> = {
  anonymous: 'Anonymous',
  clinicalDirector: 'Clinical director, own PCN',
  pcnManager: 'PCN manager, own PCN',
  practiceManager: 'Practice manager, own practice',
  gpPartner: 'GP partner, own practice',
  igOfficer: 'DPO of an annex controller',
  partnerSignatory: 'Partner organisation signatory, party to the annex',
  otherPcn: 'Clinical director of another PCN',
  auditorInScope: 'Auditor, in scope (ICB of the PCN)',
  auditorOutOfScope: 'Auditor, out of scope (another ICB)',
  platformAdmin: 'Platform admin',
};

/** Who plays each column in the test (demo seed people unless noted). */
export const COLUMN_PEOPLE: Record<Column, string> = {
  anonymous: 'no token, no session (pages: a fresh session with its CSRF token)',
  clinicalDirector: 'Dr Amira Okafor: clinical director of BYTES PCN, also a partner of Yarm Medical Practice',
  pcnManager: 'Joanne Barker: PCN manager of BYTES PCN',
  practiceManager: 'Helen Marsh: practice manager of Yarm Medical Practice',
  gpPartner: 'Dr Thomas Whitfield: partner (signatory) and Caldicott Guardian of Yarm Medical Practice',
  igOfficer: 'Daniel Osei: DPO of Tees Valley Community Health NHS Trust, a controller in the BYTES annex (partner-signatory account)',
  partnerSignatory: 'Grace Holloway: authorised signatory of the same trust, party to the annex',
  otherPcn: 'Dr Leah Bennett: clinical director of Dartford Central PCN (ICB QKS), also a partner of its practice',
  auditorInScope: 'ICB auditor for QHM, the ICB of BYTES PCN',
  auditorOutOfScope: 'ICB auditor for QKS (made for the test), not the ICB of BYTES PCN',
  platformAdmin: 'Platform administrator',
};

/**
 * One outcome per cell: an HTTP status, or `sign-in` for a page that sends the person to
 * sign in (303 to `/sign-in?returnTo=…`). A page's other 303 is its success (the next page).
 */
export type Outcome = '200' | '201' | '204' | '303' | 'sign-in' | '401' | '403' | '404';
export const OUTCOMES: readonly Outcome[] = ['200', '201', '204', '303', 'sign-in', '401', '403', '404'];

export interface KnownDefect {
  /** What the route answers today (a 500 only ever here, never as an intended outcome). */
  actual: Outcome | '500';
  /** Why the intended outcome is right, in a sentence. */
  why: string;
}

export interface MatrixRow {
  /** `METHOD /path` as Express serves it. */
  route: string;
  /** The record the row is tried on, in words. */
  on: string;
  /** Intended outcome per column, in COLUMNS order, separated by spaces. */
  expect: string;
  /** Cells that do not give the intended outcome yet: the test asserts `actual` and prints the list. */
  defects?: Partial<Record<Column, KnownDefect>>;
}

export function outcomesOf(row: MatrixRow): Record<Column, Outcome> {
  const cells = row.expect.trim().split(/\s+/);
  if (cells.length !== COLUMNS.length) throw new Error(`${row.route}: ${cells.length} outcomes for ${COLUMNS.length} columns`);
  const out = {} as Record<Column, Outcome>;
  COLUMNS.forEach((column, i) => {
    if (!OUTCOMES.includes(cells[i] as Outcome)) throw new Error(`${row.route}: "${cells[i]}" is not an outcome`);
    out[column] = cells[i] as Outcome;
  });
  return out;
}

export { ROWS } from './rows';
