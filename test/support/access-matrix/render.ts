import { Column, COLUMN_PEOPLE, COLUMN_TITLES, COLUMNS, MatrixRow, Outcome, outcomesOf, ROWS } from './matrix';

export const DOC_PATH = 'docs/access-matrix.md';
export const REGENERATE = 'node -r ./scripts/ts-register.js test/support/access-matrix/write-doc.ts';

const words: Record<Outcome | '500', string> = {
  '500': '500',
  '200': '200', '201': '201', '204': '204', '303': '303', 'sign-in': '303 → sign-in', '401': '401', '403': '403', '404': '404',
};

const ABBREVIATIONS: Record<Column, string> = {
  anonymous: 'Anon',
  clinicalDirector: 'CD',
  pcnManager: 'PCN mgr',
  practiceManager: 'Prac mgr',
  gpPartner: 'GP partner',
  igOfficer: 'IG officer',
  partnerSignatory: 'Partner org',
  otherPcn: 'Other PCN',
  auditorInScope: 'Auditor in',
  auditorOutOfScope: 'Auditor out',
  platformAdmin: 'Admin',
};

const cell = (row: MatrixRow, column: Column, outcome: Outcome) => `${words[outcome]}${row.defects?.[column] ? ` ⚠ (today ${words[row.defects[column]!.actual]})` : ''}`;

function table(rows: MatrixRow[]): string[] {
  const lines = [`| Route | Tried on | ${COLUMNS.map((c) => ABBREVIATIONS[c]).join(' | ')} |`, `|---|---|${COLUMNS.map(() => '---').join('|')}|`];
  for (const row of rows) {
    const outcomes = outcomesOf(row);
    lines.push(`| \`${row.route}\` | ${row.on} | ${COLUMNS.map((c) => cell(row, c, outcomes[c])).join(' | ')} |`);
  }
  return lines;
}

/** docs/access-matrix.md, generated from the matrix (never edit the file by hand). */
export function renderAccessMatrix(rows: MatrixRow[] = ROWS): string {
  const isPage = (r: MatrixRow) => !/ \/(api\/|health|assets\/)/.test(r.route);
  const defects = rows.flatMap((row) => COLUMNS.filter((c) => row.defects?.[c]).map((c) => ({ row, column: c, defect: row.defects![c]! })));
  const cells = rows.length * COLUMNS.length;
  return [
    '# Access matrix',
    '',
    `<!-- Generated from test/support/access-matrix/rows.ts by \`${REGENERATE}\`; do not edit by hand. -->`,
    '',
    `Every route the running app serves (${rows.length} routes, ${cells} cells), with the outcome each caller gets. ` +
      'test/e2e/access-matrix.e2e-spec.ts starts the app, fails if a served route is missing here (or a route here is not served), ' +
      'then calls every route as every column with valid input and asserts the exact status of every cell.',
    '',
    'Outcomes: 200/201/204 the call succeeded; 303 a page form succeeded and sends the person to the next page; ' +
      '"303 → sign-in" a page sends a person without a session to sign in; 401 the API needs a token; ' +
      '403 the role may never do this; 404 the record is not found or not theirs (a denial that does not reveal whether it exists). ' +
      'A ⚠ cell is a known defect: the intended outcome is shown, with what the route answers today.',
    '',
    '## Columns',
    '',
    '| Column | Role and relationship | Played by |',
    '|---|---|---|',
    ...COLUMNS.map((c) => `| ${ABBREVIATIONS[c]} | ${COLUMN_TITLES[c]} | ${COLUMN_PEOPLE[c]} |`),
    '',
    'Records are those of BYTES PCN (ICB QHM) unless a row says otherwise: its executed agreement (sealed documents), ' +
      'a second agreement in an open round, a draft, Yarm Medical Practice (the practice of the practice manager and the GP partner) ' +
      'and the community trust that is a controller in the annex. The other PCN is Dartford Central PCN (ICB QKS). ' +
      'Rate limits (sign-in, verification, invitation links) are raised in the test so that they do not hide access outcomes.',
    '',
    '## API (under /api/v1), health, API docs and static assets',
    '',
    ...table(rows.filter((r) => !isPage(r))),
    '',
    '## Pages',
    '',
    ...table(rows.filter(isPage)),
    '',
    '## Known defects',
    '',
    ...(defects.length
      ? defects.map(({ row, column, defect }) => `- \`${row.route}\` as ${COLUMN_TITLES[column]} (${row.on}): answers ${words[defect.actual]}, should answer ${words[outcomesOf(row)[column]]}. ${defect.why}`)
      : ['None.']),
    '',
  ].join('\n');
}
