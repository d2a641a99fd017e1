import { Principal, UserRole } from '@pcn/auth';
import { auditEventForReader, seesSignersPersonalData } from '../personal-data';

const PCN = '11111111-1111-4111-8111-111111111111';
const OTHER_PCN = '22222222-2222-4222-8222-222222222222';
const principal = (role: UserRole, organisationId: string | null, extra: Partial<Principal> = {}): Principal => ({
  id: 'u1',
  email: 'reader@demo.nhs.uk',
  displayName: 'Reader',
  personId: 'p1',
  grants: [{ role, organisationId, icbCode: role === UserRole.Auditor ? 'QHM' : null }],
  authMethod: 'password',
  ...extra,
});
const event = { actorUserId: 'someone-else', ip: '10.0.0.1', userAgent: 'Firefox', payload: { to: 'signer@demo.nhs.uk', requestId: 'r1' } };

describe('signers’ personal data in the audit trail', () => {
  it('is shown to the PCN’s clinical director and to auditors', () => {
    expect(seesSignersPersonalData(principal(UserRole.ClinicalDirector, PCN), PCN)).toBe(true);
    expect(seesSignersPersonalData(principal(UserRole.Auditor, null), PCN)).toBe(true);
    expect(auditEventForReader(principal(UserRole.ClinicalDirector, PCN), PCN, event)).toBe(event);
  });

  it('is hidden from a PCN manager and from another PCN’s clinical director', () => {
    for (const reader of [principal(UserRole.PcnManager, PCN), principal(UserRole.ClinicalDirector, OTHER_PCN)]) {
      expect(seesSignersPersonalData(reader, PCN)).toBe(false);
      expect(auditEventForReader(reader, PCN, event)).toEqual({ actorUserId: 'someone-else', ip: null, userAgent: null, payload: { to: null, requestId: 'r1' } });
    }
  });

  it('is shown to the person themselves: their own acts and emails sent to them', () => {
    const manager = principal(UserRole.PcnManager, PCN, { id: 'someone-else' });
    expect(auditEventForReader(manager, PCN, event)).toBe(event);
    const recipient = principal(UserRole.PcnManager, PCN, { email: 'signer@demo.nhs.uk' });
    expect(auditEventForReader(recipient, PCN, event)).toEqual({ ...event, ip: null, userAgent: null });
  });
});
