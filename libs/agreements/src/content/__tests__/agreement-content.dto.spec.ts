import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { AgreementContentDto, AnnexPartyDto, DataSharingAnnexDto, GovernanceDto } from '../agreement-content.dto';
import { templateDefaults } from '../../templates/network-agreement-2025-26';
import { buildValidContent } from './content.factory';
import { validateBody } from './dto-helpers';
import { validate } from 'class-validator';

type Mutable = Record<string, any>;

function body(mutate: (content: Mutable) => void = () => undefined): Mutable {
  const content = buildValidContent() as unknown as Mutable;
  mutate(content);
  return content;
}

describe('AgreementContentDto', () => {
  it('accepts the complete factory agreement under whitelist + forbidNonWhitelisted', async () => {
    expect(await validateBody(body())).toEqual([]);
  });

  it('transforms nested objects into their DTO classes so nested rules run', () => {
    const dto = plainToInstance(AgreementContentDto, body());
    expect(dto.annexes[0]).toBeInstanceOf(DataSharingAnnexDto);
    expect(dto.annexes[0].parties[0]).toBeInstanceOf(AnnexPartyDto);
  });

  it('rejects an unknown field deep inside an annex party', async () => {
    const failures = await validateBody(body((c) => (c.annexes[0].parties[1].nhsNumber = '9434765919')));
    expect(failures).toContain('annexes.0.parties.1.nhsNumber:whitelistValidation');
  });

  it('rejects an unknown field at the top level and inside schedules', async () => {
    const failures = await validateBody(
      body((c) => {
        c.status = 'ACTIVE';
        c.schedules.finances.secretFee = 1;
      }),
    );
    expect(failures).toEqual(expect.arrayContaining(['status:whitelistValidation', 'schedules.finances.secretFee:whitelistValidation']));
  });

  it.each([
    ['annexes.0.kind', (c: Mutable) => (c.annexes[0].kind = 'JOINT_VENTURE')],
    ['annexes.0.parties.0.dataRole', (c: Mutable) => (c.annexes[0].parties[0].dataRole = 'OWNER')],
    ['annexes.0.purposes.0.art9Condition', (c: Mutable) => (c.annexes[0].purposes[0].art9Condition = 'K')],
    ['schedules.workforce.arrsPosts.0.role', (c: Mutable) => (c.schedules.workforce.arrsPosts[0].role = 'GP_PARTNER')],
    ['schedules.keyDetails.payee.arrangement', (c: Mutable) => (c.schedules.keyDetails.payee.arrangement = 'CASH')],
  ])('rejects a bad enum value at %s', async (path, mutate) => {
    expect(await validateBody(body(mutate))).toContain(`${path}:isEnum`);
  });

  it('rejects a bad enum value inside an array of enums', async () => {
    const failures = await validateBody(body((c) => (c.annexes[0].dataSubjects = ['PATIENTS', 'VISITORS'])));
    expect(failures).toContain('annexes.0.dataSubjects:isEnum');
  });

  it('accepts only real, date-only ISO dates', async () => {
    const withTime = await validateBody(body((c) => (c.effectiveFrom = '2026-04-01T00:00:00Z')));
    const impossible = await validateBody(body((c) => (c.annexes[0].effectiveFrom = '2026-02-30')));
    expect(withTime).toContain('effectiveFrom:matches');
    expect(impossible).toContain('annexes.0.effectiveFrom:isIso8601');
  });

  it('rejects a financial year that is not written like 2026/27', async () => {
    expect(await validateBody(body((c) => (c.financialYear = '2026-27')))).toContain('financialYear:matches');
  });

  it('rejects a practice ODS code in the wrong format', async () => {
    const failures = await validateBody(body((c) => (c.schedules.keyDetails.corePractices[0].odsCode = 'U12345X')));
    expect(failures).toContain('schedules.keyDetails.corePractices.0.odsCode:matches');
  });

  it('treats core practices as optional because the server fills them', async () => {
    expect(await validateBody(body((c) => delete c.schedules.keyDetails.corePractices))).toEqual([]);
  });

  it('keeps ARRS WTE above 0 and at most 1, and CD sessions above 0', async () => {
    const tooBig = await validateBody(body((c) => (c.schedules.workforce.arrsPosts[0].wte = 1.5)));
    const zero = await validateBody(body((c) => (c.schedules.workforce.arrsPosts[0].wte = 0)));
    const noSessions = await validateBody(body((c) => (c.schedules.keyDetails.clinicalDirector.sessionsPerWeek = 0)));
    expect(tooBig).toContain('schedules.workforce.arrsPosts.0.wte:max');
    expect(zero).toContain('schedules.workforce.arrsPosts.0.wte:isPositive');
    expect(noSessions).toContain('schedules.keyDetails.clinicalDirector.sessionsPerWeek:isPositive');
  });

  it('requires the quorum to be stated as a number or in words', async () => {
    const neither = await validateBody(body((c) => (c.schedules.keyDetails.governance.quorum = {})));
    const numberOnly = await validateBody(body((c) => (c.schedules.keyDetails.governance.quorum = { minimumPractices: 3 })));
    expect(neither).toContain('schedules.keyDetails.governance.quorum.description:isString');
    expect(numberOnly).toEqual([]);
  });

  it('rejects a missing required nested object', async () => {
    const failures = await validateBody(body((c) => delete c.schedules.finances));
    expect(failures).toContain('schedules.finances:isObject');
  });

  it('caps array sizes and string lengths so hostile bodies stay small', async () => {
    const annex = buildValidContent().annexes[0];
    const tooManyAnnexes = await validateBody(body((c) => (c.annexes = Array.from({ length: 21 }, () => ({ ...annex, id: undefined })))));
    const longTitle = await validateBody(body((c) => (c.title = 'x'.repeat(201))));
    expect(tooManyAnnexes).toContain('annexes:arrayMaxSize');
    expect(longTitle).toContain('title:maxLength');
  });

  it('rejects a non-UUID organisation id and a non-https privacy notice', async () => {
    const failures = await validateBody(
      body((c) => {
        c.annexes[0].flows[0].toOrganisationId = 'A81001';
        c.annexes[0].privacyNoticeUrl = 'http://bytes-pcn.example.nhs.uk/privacy';
      }),
    );
    expect(failures).toEqual(expect.arrayContaining(['annexes.0.flows.0.toOrganisationId:isUuid', 'annexes.0.privacyNoticeUrl:isUrl']));
  });

  it('accepts the template governance defaults', async () => {
    const governance = plainToInstance(GovernanceDto, templateDefaults().schedules.keyDetails.governance);
    expect(await validate(governance, { whitelist: true, forbidNonWhitelisted: true })).toEqual([]);
  });
});
