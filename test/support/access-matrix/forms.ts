import type { World } from './world';

/*
 * Valid page forms for the drafting rows, in the field names the pages render
 * (`v[...]`), so an allowed caller's post saves (303) instead of showing errors.
 */

/** Schedule 4 (financial arrangements): equal split paid to Yarm. */
export function financesForm(w: World): Record<string, unknown> {
  const p = w.demo.practiceIds;
  return {
    payeeOrganisationId: p.yarm,
    distributionBasis: 'CUSTOM_PERCENTAGES',
    shares: [
      { organisationId: p.yarm, percentage: '25' },
      { organisationId: p.eaglescliffe, percentage: '25' },
      { organisationId: p.tbmg, percentage: '25' },
      { organisationId: p.parklane, percentage: '25' },
    ],
    distributionTiming: 'Within 15 working days of receipt',
  };
}

/** A second annex: Yarm and Eaglescliffe as joint controllers for shared appointments. */
export function annexForm(w: World): Record<string, unknown> {
  const p = w.demo.practiceIds;
  const controller = (organisationId: string, guardian: string) => ({
    organisationId,
    dataRole: 'JOINT_CONTROLLER',
    dpo: { name: 'Fiona Gallagher', email: 'fiona.gallagher@dpo.demo.nhs.uk' },
    caldicottGuardian: { name: guardian, email: 'guardian@example.nhs.uk' },
    dsptStatus: 'MET',
    dsptYear: '2025-26',
  });
  return {
    title: 'Shared appointments records',
    kind: 'JOINT_CONTROLLER_DSA',
    effectiveFrom: { day: '1', month: '4', year: '2026' },
    rightsRequestsHandledBy: p.yarm,
    privacyNoticeUrl: 'https://bytes.example.nhs.uk/privacy-notice',
    parties: [controller(p.yarm, 'Dr Thomas Whitfield'), controller(p.eaglescliffe, 'Dr Priya Raman')],
    purposes: [
      {
        description: 'Appointments offered at any member practice',
        category: 'DIRECT_CARE',
        art6Basis: 'E',
        art9Condition: 'H',
        dpaSchedule1Condition: 'DPA 2018 Schedule 1 Part 1 paragraph 2 (health or social care purposes)',
        confidentialityBasis: 'IMPLIED_CONSENT_DIRECT_CARE',
      },
    ],
    dataSubjects: ['PATIENTS'],
    dataItems: [{ name: 'Appointment history', justification: 'To book and hold the appointment', specialCategory: 'yes', criminalOffence: 'no' }],
    flows: [{ fromOrganisationId: p.yarm, toOrganisationId: p.eaglescliffe, system: 'EMIS Web', transferMethod: 'Shared record', encrypted: 'yes', frequency: 'Each booking' }],
    retention: { period: 'As the GP record', rule: 'NHS Records Management Code of Practice', disposalMethod: 'Secure deletion' },
    securityMeasures: 'Smartcard access\r\nRole-based access',
    breachNotificationHours: '24',
    dpia: { required: 'no', screeningSummary: 'Screened: routine direct care sharing between practices.' },
  };
}

/** A form body as a browser sends it, with list indices (`v[shares][0][percentage]=25`). */
export function formBody(fields: Record<string, unknown>): string {
  const out = new URLSearchParams();
  const walk = (value: unknown, name: string) => {
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, `${name}[${i}]`));
    else if (value && typeof value === 'object') for (const [key, item] of Object.entries(value)) walk(item, name ? `${name}[${key}]` : key);
    else if (value !== undefined) out.append(name, String(value));
  };
  walk(fields, '');
  return out.toString();
}
