import type { AuditEventEntity } from './audit-event.entity';

/** CSV columns, in order. Every hashed field is exported, so an auditor can recompute each hash from the file. */
export const AUDIT_CSV_COLUMNS = [
  'id',
  'chain_key',
  'seq',
  'type',
  'occurred_at',
  'agreement_id',
  'round_id',
  'revision_hash',
  'actor_user_id',
  'actor_name',
  'organisation_id',
  'ip',
  'user_agent',
  'auth_method',
  'payload',
  'prev_hash',
  'hash',
] as const;

const CRLF = '\r\n';

/**
 * A spreadsheet reads a cell starting with `=`, `+`, `-`, `@`, tab or CR as a formula. A leading
 * `'` is escaped too, so the rule stays reversible: a quoted cell starting with `'` had exactly one
 * `'` added by the export (strip it to recompute a hash from the file).
 */
const FORMULA_START = /^[=+\-@\t\r']/;

/**
 * One RFC 4180 field: quoted when it holds a comma, double quote, CR or LF; quotes doubled.
 * Neutralised against formula injection (OWASP "CSV injection"): a cell starting with `=`, `+`,
 * `-`, `@`, tab or carriage return (or `'`) gets a leading `'` and is quoted, so Excel, LibreOffice and
 * Sheets show the text instead of running it. Every CSV the platform writes goes through this.
 */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const raw = String(value);
  const text = FORMULA_START.test(raw) ? `'${raw}` : raw;
  return text !== raw || /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The header line, CRLF-terminated. */
export function auditCsvHeader(): string {
  return AUDIT_CSV_COLUMNS.join(',') + CRLF;
}

/** One event as a CRLF-terminated CSV line; payload as compact JSON. */
export function auditCsvRow(e: AuditEventEntity): string {
  return (
    [
      e.id,
      e.chainKey,
      e.seq,
      e.type,
      e.occurredAt.toISOString(),
      e.agreementId,
      e.roundId,
      e.revisionHash,
      e.actorUserId,
      e.actorName,
      e.organisationId,
      e.ip,
      e.userAgent,
      e.authMethod,
      JSON.stringify(e.payload ?? {}),
      e.prevHash,
      e.hash,
    ]
      .map(csvField)
      .join(',') + CRLF
  );
}

/** Header plus one line per event. For long trails, stream `auditCsvHeader()` + `auditCsvRow()` per page instead. */
export function toCsv(events: Iterable<AuditEventEntity>): string {
  let out = auditCsvHeader();
  for (const e of events) out += auditCsvRow(e);
  return out;
}
