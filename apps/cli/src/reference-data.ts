import { Client } from 'pg';
import { NETWORK_AGREEMENT_2025_26, NETWORK_AGREEMENT_2025_26_HASH } from '@pcn/agreements';

/** Every released national template. A new version is a new frozen module added here. */
const TEMPLATES = [{ template: NETWORK_AGREEMENT_2025_26, hash: NETWORK_AGREEMENT_2025_26_HASH }];

/**
 * Inserts template versions the database does not have yet; part of `db:migrate`. Existing
 * versions are never rewritten: agreements bind to the text they were drafted on.
 */
export async function syncTemplates(url: string, log: (line: string) => void = console.log): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    for (const { template, hash } of TEMPLATES) {
      const inserted = await client.query(
        `INSERT INTO agreement_template (version, title, clauses, clauses_hash) VALUES ($1, $2, $3::jsonb, $4) ON CONFLICT (version) DO NOTHING`,
        [template.version, template.title, JSON.stringify(template.clauses), hash],
      );
      if (inserted.rowCount) log(`added template ${template.version}`);
    }
  } finally {
    await client.end();
  }
}
