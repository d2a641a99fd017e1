import { contentHash } from '../canonical-json';
import {
  NETWORK_AGREEMENT_2025_26,
  NETWORK_AGREEMENT_2025_26_HASH,
  resolveClauses,
  templateDefaults,
} from '../../templates/network-agreement-2025-26';
import { validateAgreementContent } from '../agreement-content.rules';
import { buildValidContent, buildValidationContext } from './content.factory';

describe('Network Agreement 2025/26 template', () => {
  const { clauses } = NETWORK_AGREEMENT_2025_26;

  it('identifies its version and title', () => {
    expect(NETWORK_AGREEMENT_2025_26).toMatchObject({ version: '2025/26', title: 'PCN Network Agreement' });
  });

  it('has 25 to 40 clauses with unique numbers and non-empty text', () => {
    expect(clauses.length).toBeGreaterThanOrEqual(25);
    expect(clauses.length).toBeLessThanOrEqual(40);
    expect(new Set(clauses.map((c) => c.number)).size).toBe(clauses.length);
    clauses.forEach((c) => expect(c.text.trim().length).toBeGreaterThan(20));
  });

  it('makes only the two dispute clauses editable, members’ meeting before LMC referral', () => {
    const editable = clauses.filter((c) => c.editable);
    expect(editable.map((c) => c.editable)).toEqual(['dispute-meeting', 'dispute-lmc']);
    expect(editable[0].text).toMatch(/Schedule 1/);
    expect(editable[1].text).toMatch(/Local Medical Committee/);
  });

  it('covers every section of the national structure', () => {
    const headings = clauses.map((c) => `${c.heading} ${c.text}`).join('\n');
    for (const topic of [/patients/i, /funding|payments/i, /staff/i, /confidential/i, /conflict/i, /meet/i, /join/i, /leave/i, /chang/i, /ends/i, /dispute/i, /outside our control/i]) {
      expect(headings).toMatch(topic);
    }
  });

  it('is deeply frozen', () => {
    expect(Object.isFrozen(NETWORK_AGREEMENT_2025_26)).toBe(true);
    expect(Object.isFrozen(clauses)).toBe(true);
    expect(() => {
      (clauses[0] as { text: string }).text = 'changed';
    }).toThrow(TypeError);
  });

  it('publishes the hash of its fixed text', () => {
    expect(NETWORK_AGREEMENT_2025_26_HASH).toBe(contentHash(NETWORK_AGREEMENT_2025_26));
  });

  it('applies local dispute wording only to the editable clauses', () => {
    const resolved = resolveClauses(NETWORK_AGREEMENT_2025_26, { lmcReferralClause: 'We will refer it to the LMC within five days.' });
    const changed = resolved.filter((c, i) => c.text !== clauses[i].text);
    expect(changed).toEqual([expect.objectContaining({ editable: 'dispute-lmc', text: 'We will refer it to the LMC within five days.' })]);
    expect(resolveClauses(NETWORK_AGREEMENT_2025_26, { meetingClause: '   ' }).map((c) => c.text)).toEqual(clauses.map((c) => c.text));
  });

  it('returns fresh defaults each call', () => {
    const first = templateDefaults();
    first.schedules.keyDetails.governance.decisionsRequiringUnanimity.push('Something local');
    expect(templateDefaults().schedules.keyDetails.governance.decisionsRequiringUnanimity).not.toContain('Something local');
  });

  it('provides defaults that merge into a valid agreement without errors', () => {
    const defaults = templateDefaults();
    const content = buildValidContent({
      schedules: {
        keyDetails: { governance: defaults.schedules.keyDetails.governance },
        finances: { ...defaults.schedules.finances, payeeOrganisationId: undefined },
        insurance: defaults.schedules.insurance,
      },
    });
    const { errors, warnings } = validateAgreementContent(content, buildValidationContext());
    expect(errors).toEqual({});
    // Empty finance text is left for members to complete, and the rules remind them.
    expect(Object.keys(warnings)).toContain('schedules.finances.liabilitySharing');
  });
});
