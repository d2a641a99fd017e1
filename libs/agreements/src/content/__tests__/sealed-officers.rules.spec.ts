import { validateAgreementContent, validateSealBoundOfficers } from '../agreement-content.rules';
import type { OfficerOnRecord } from '../agreement-content.types';
import { buildValidContent, buildValidationContext } from './content.factory';

/** Officers on record for every controller of the factory's annex: exactly the people it names. */
function onRecordFor(content = buildValidContent()): OfficerOnRecord[] {
  return content.annexes.flatMap((a) =>
    a.parties.flatMap((p) => [
      ...(p.dpo ? [{ organisationId: p.organisationId, role: 'DPO' as const, name: p.dpo.name, email: p.dpo.email.toUpperCase() }] : []),
      ...(p.caldicottGuardian ? [{ organisationId: p.organisationId, role: 'CALDICOTT_GUARDIAN' as const, name: p.caldicottGuardian.name, email: p.caldicottGuardian.email }] : []),
    ]),
  );
}

describe('sealed-bound annexes name the officers on record', () => {
  it('accepts an annex whose DPOs and Caldicott Guardians are the people on record (email, any case)', () => {
    const content = buildValidContent();
    expect(validateSealBoundOfficers(content, { ...buildValidationContext(), officersOnRecord: onRecordFor(content) })).toEqual({});
  });

  it('refuses a DPO who is not on record, naming the organisation, the role and who is on record', () => {
    const content = buildValidContent();
    const officers = onRecordFor(content);
    const party = content.annexes[0].parties[0];
    const recorded = officers.find((o) => o.organisationId === party.organisationId && o.role === 'DPO')!;
    party.dpo = { name: 'Pat Placeholder', email: 'pat@example.org' };
    const errors = validateSealBoundOfficers(content, { ...buildValidationContext(), officersOnRecord: officers });
    const orgName = buildValidationContext().memberPractices.find((m) => m.organisationId === party.organisationId)!.name;
    expect(errors).toEqual({
      'annexes[0].parties[0].dpo': [
        `“${orgName}”’s Data Protection Officer named in annex “${content.annexes[0].title}” (Pat Placeholder, pat@example.org) is not on record in the directory. The directory records ${recorded.name} (${recorded.email}) as “${orgName}”’s Data Protection Officer. Name the person on record, or have the directory updated, before sending it for approval.`,
      ],
    });
  });

  it('refuses a Caldicott Guardian when the directory records none for that organisation', () => {
    const content = buildValidContent();
    const party = content.annexes[0].parties[1];
    const officers = onRecordFor(content).filter((o) => !(o.organisationId === party.organisationId && o.role === 'CALDICOTT_GUARDIAN'));
    const errors = validateSealBoundOfficers(content, { ...buildValidationContext(), officersOnRecord: officers });
    expect(Object.keys(errors)).toEqual(['annexes[0].parties[1].caldicottGuardian']);
    expect(errors['annexes[0].parties[1].caldicottGuardian'][0]).toContain('The directory records no Caldicott Guardian for');
  });

  it('drafts are not held to it: without officersOnRecord the rules do not consult the directory', () => {
    const content = buildValidContent();
    content.annexes[0].parties[0].dpo = { name: 'Pat Placeholder', email: 'pat@example.org' };
    expect(validateAgreementContent(content, buildValidationContext()).errors).toEqual({});
  });
});
