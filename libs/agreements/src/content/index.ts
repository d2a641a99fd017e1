// Public surface of agreement content. The test factory (./testing) is deliberately
// not re-exported so it never ends up in production bundles.
export * from './agreement-content.enums';
export * from './agreement-content.types';
export * from './agreement-content.dto';
export * from './agreement-content.labels';
export { validateAgreementContent, validateSealBoundOfficers, currentDsptYear, LIST_SIZE_MIN, LIST_SIZE_MAX, PERCENTAGE_TOLERANCE, MAX_BREACH_NOTIFICATION_HOURS } from './agreement-content.rules';
export { applyContentDefaults, DEFAULT_REVIEW_MONTHS } from './agreement-content.defaults';
export { canonicalJson, contentHash } from './canonical-json';
export { diffContent } from './content-diff';
export type { ContentChange, ContentChangeKind } from './content-diff';
export { addMonths, isDateOnly } from './date-only';
export { organisationReferences, referencedOrganisationIds } from './organisation-references';
export type { OrganisationReference } from './organisation-references';
export { AGREEMENT_SCHEDULES, ANNEX_PARTS, GENERAL_SECTION, mergeSection, parseSectionId } from './agreement-sections';
export type { AnnexPart, AnnexPartId, ParsedSection, ScheduleSection, SectionId, SectionMergeResult } from './agreement-sections';
export { describeRevisionDiff, annexLetter } from './readable-diff';
export type { OrganisationNames, ReadableChange } from './readable-diff';
export { contentShapeException } from './content-shape';
