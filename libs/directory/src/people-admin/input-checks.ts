/** Checks of typed input shared by the people and onboarding services (they answer 422 in words themselves). */

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** A plausible email address (the invitation email proves it is theirs). */
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** An id as the database stores it; anything else is "not found" without a query. */
export const UUID = /^[0-9a-f-]{36}$/i;

export const todayIso = () => new Date().toISOString().slice(0, 10);

/** A real calendar date written 2026-04-01 (not 2026-02-30). */
export const isDate = (s: unknown): s is string => typeof s === 'string' && DATE_ONLY.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);
