import type { AgreementContent, DataSharingAnnex, Schedules } from './agreement-content.types';

/*
 * The parts of an agreement a page edits and saves on its own. Section ids are what
 * `AgreementsService.saveSection` and `PUT /agreements/:id/sections/:section` take:
 *
 *   general                     title, financial year, start date, dispute clause wording
 *   schedule1 … schedule7       one schedule; the value is that schedule's whole content
 *   annex:<annexId>:<part>      one group of an annex's fields; the value is an object
 *                               holding exactly that part's fields (absent = cleared)
 */

export interface ScheduleSection {
  id: `schedule${1 | 2 | 3 | 4 | 5 | 6 | 7}`;
  number: number;
  title: string;
  /** "Schedule 4 — Financial arrangements": the same heading as the PDF. */
  heading: string;
  /** Where the schedule lives in the content: `content.schedules[contentKey]`. */
  contentKey: keyof Schedules;
}

const schedule = (number: ScheduleSection['number'], title: string, contentKey: keyof Schedules): ScheduleSection => ({
  id: `schedule${number}` as ScheduleSection['id'],
  number,
  title,
  heading: `Schedule ${number} — ${title}`,
  contentKey,
});

/** Schedules 1–7: number, title (as printed) and the content key each maps onto. */
export const AGREEMENT_SCHEDULES: readonly Readonly<ScheduleSection>[] = Object.freeze([
  schedule(1, 'Key network details and governance', 'keyDetails'),
  schedule(2, 'Additional terms', 'additionalTerms'),
  schedule(3, 'Activities', 'activities'),
  schedule(4, 'Financial arrangements', 'finances'),
  schedule(5, 'Workforce', 'workforce'),
  schedule(6, 'Insurance and other terms', 'insurance'),
  schedule(7, 'Arrangements with non-GP organisations', 'nonGpArrangements'),
]);

/** The agreement's own fields outside the schedules. */
export const GENERAL_SECTION = Object.freeze({
  id: 'general' as const,
  title: 'Agreement details',
  fields: Object.freeze(['title', 'financialYear', 'effectiveFrom', 'disputeClauseOverrides'] as const),
});

export type AnnexPartId = 'details' | 'parties' | 'purposes' | 'dataItems' | 'flows' | 'retentionSecurity' | 'dpia';

export interface AnnexPart {
  part: AnnexPartId;
  title: string;
  /** The annex fields this part saves; the section value is an object with (some of) exactly these keys. */
  fields: readonly (keyof DataSharingAnnex)[];
}

/** Groups of an annex's fields, one form page each, in the order a page shows them. */
export const ANNEX_PARTS: readonly Readonly<AnnexPart>[] = Object.freeze([
  { part: 'details', title: 'About this annex', fields: ['title', 'kind', 'effectiveFrom', 'reviewBy', 'endOn', 'rightsRequestsHandledBy', 'privacyNoticeUrl'] },
  { part: 'parties', title: 'Parties, their roles and contacts', fields: ['parties'] },
  { part: 'purposes', title: 'Purposes and lawful bases', fields: ['purposes'] },
  { part: 'dataItems', title: 'Whose data and which data items', fields: ['dataSubjects', 'dataItems'] },
  { part: 'flows', title: 'How data flows between the parties', fields: ['flows'] },
  { part: 'retentionSecurity', title: 'Retention, security and breach reporting', fields: ['retention', 'securityMeasures', 'breachNotificationHours'] },
  { part: 'dpia', title: 'Data protection impact assessment', fields: ['dpia'] },
] satisfies AnnexPart[]);

export type SectionId = typeof GENERAL_SECTION.id | ScheduleSection['id'] | `annex:${string}:${AnnexPartId}`;

export type ParsedSection =
  | { kind: 'general' }
  | { kind: 'schedule'; schedule: Readonly<ScheduleSection> }
  | { kind: 'annex'; annexId: string; part: Readonly<AnnexPart> };

/** Reads a section id; undefined when it names no section. */
export function parseSectionId(section: string): ParsedSection | undefined {
  if (section === GENERAL_SECTION.id) return { kind: 'general' };
  const scheduleSection = AGREEMENT_SCHEDULES.find((s) => s.id === section);
  if (scheduleSection) return { kind: 'schedule', schedule: scheduleSection };
  const match = /^annex:([^:]+):([A-Za-z]+)$/.exec(section);
  const part = match ? ANNEX_PARTS.find((p) => p.part === match[2]) : undefined;
  return match && part ? { kind: 'annex', annexId: match[1], part } : undefined;
}

export type SectionMergeResult =
  | { ok: true; content: AgreementContent; path: string }
  | { ok: false; reason: 'ANNEX_NOT_FOUND' }
  | { ok: false; reason: 'NOT_AN_OBJECT'; path: string }
  | { ok: false; reason: 'UNKNOWN_FIELDS'; paths: string[] };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Puts one section's value into a copy of `content` (pure; nothing else changes) and
 * returns the content path the section lives at, e.g. `schedules.finances` or
 * `annexes[1]`. The caller validates the whole merged content, so errors come back
 * keyed by full content paths. Object-shaped sections must get an object holding only
 * their own fields; a schedule's value is checked by the content validation.
 */
export function mergeSection(content: AgreementContent, section: ParsedSection, value: unknown): SectionMergeResult {
  if (section.kind === 'schedule') {
    const key = section.schedule.contentKey;
    return { ok: true, content: { ...content, schedules: { ...content.schedules, [key]: value } }, path: `schedules.${key}` };
  }
  if (section.kind === 'general') {
    if (!isObject(value)) return { ok: false, reason: 'NOT_AN_OBJECT', path: '' };
    const unknown = Object.keys(value).filter((k) => !(GENERAL_SECTION.fields as readonly string[]).includes(k));
    if (unknown.length > 0) return { ok: false, reason: 'UNKNOWN_FIELDS', paths: unknown };
    const rest = { ...content } as Record<string, unknown>;
    for (const field of GENERAL_SECTION.fields) delete rest[field];
    return { ok: true, content: { ...rest, ...value } as unknown as AgreementContent, path: '' };
  }
  const index = (content.annexes ?? []).findIndex((a) => a.id === section.annexId);
  if (index < 0) return { ok: false, reason: 'ANNEX_NOT_FOUND' };
  const path = `annexes[${index}]`;
  if (!isObject(value)) return { ok: false, reason: 'NOT_AN_OBJECT', path };
  const fields = section.part.fields as readonly string[];
  const unknown = Object.keys(value).filter((k) => !fields.includes(k));
  if (unknown.length > 0) return { ok: false, reason: 'UNKNOWN_FIELDS', paths: unknown.map((k) => `${path}.${k}`) };
  const annex = { ...content.annexes[index] } as Record<string, unknown>;
  for (const field of fields) delete annex[field];
  const annexes = [...content.annexes];
  annexes[index] = { ...annex, ...value } as unknown as DataSharingAnnex;
  return { ok: true, content: { ...content, annexes }, path };
}
