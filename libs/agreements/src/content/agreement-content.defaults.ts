import { randomUUID } from 'node:crypto';
import type { AgreementContent } from './agreement-content.types';
import { addMonths, isDateOnly } from './date-only';

export const DEFAULT_REVIEW_MONTHS = 12;

/**
 * Fills server-owned defaults without mutating the input: annex ids (so diffs and
 * signatures can refer to an annex stably) and each annex's review date
 * (business rule 11: review within 12 months of the start date).
 * Run it before `validateAgreementContent` and before hashing a revision.
 */
export function applyContentDefaults(content: AgreementContent): AgreementContent {
  return {
    ...content,
    annexes: (content.annexes ?? []).map((annex) => {
      const withId = { ...annex, id: annex.id ?? randomUUID() };
      if (withId.reviewBy || !isDateOnly(annex.effectiveFrom)) return withId;
      return { ...withId, reviewBy: addMonths(annex.effectiveFrom, DEFAULT_REVIEW_MONTHS) };
    }),
  };
}
