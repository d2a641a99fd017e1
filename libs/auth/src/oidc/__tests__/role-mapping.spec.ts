import { ConfigurationError, loadTypedConfig } from '@pcn/common';
import { UserRole } from '../../auth.enums';
import { assuranceLevel, cis2AuthMethod } from '../assurance';
import { DEFAULT_ROLE_MAPPING, loadRoleMapping, mapNrbacRoles, parseRoleMapping } from '../role-mapping';
import { OidcEnv } from '../oidc.config';

const orgs: Record<string, { id: string; kind: string; name: string }> = {
  U70101: { id: 'pcn-1', kind: 'PCN', name: 'BYTES PCN' },
  A87001: { id: 'practice-1', kind: 'GP_PRACTICE', name: 'Yarm Medical Practice' },
};
const byOds = async (code: string) => orgs[code] ?? null;
const nrbac = (org_code: string, role_code: string, role_name = 'A role') => ({ org_code, role_code, role_name, person_roleid: '1' });

describe('CIS2 role mapping', () => {
  it('maps the default table: R8000 at a PCN → clinical director, R0260 at a practice → signatory (colon-joined role codes too)', async () => {
    const result = await mapNrbacRoles(DEFAULT_ROLE_MAPPING, [nrbac('U70101', 'S8000:G8000:R8000'), nrbac('A87001', 'R0260')], [], byOds);
    expect(result).toEqual({
      grants: [
        { role: UserRole.ClinicalDirector, organisationId: 'pcn-1', icbCode: null },
        { role: UserRole.PracticeSignatory, organisationId: 'practice-1', icbCode: null },
      ],
      unmatched: [],
    });
  });

  it('gives nothing for an unknown organisation, a role at the wrong kind of organisation, or an organisation the person is not associated with', async () => {
    const result = await mapNrbacRoles(DEFAULT_ROLE_MAPPING, [nrbac('Y99999', 'R0260', 'GP'), nrbac('U70101', 'R0260', 'GP'), nrbac('A87001', 'R0260', 'GP')], [{ org_code: 'Y99999', org_name: 'Elsewhere' }, { org_code: 'U70101' }], byOds);
    expect(result.grants).toEqual([]);
    expect(result.unmatched).toEqual([
      { roleName: 'GP', orgCode: 'Y99999', orgName: 'Elsewhere' },
      { roleName: 'GP', orgCode: 'U70101', orgName: 'BYTES PCN' },
      { roleName: 'GP', orgCode: 'A87001', orgName: null },
    ]);
  });

  it('an auditor rule gives the ICB scope only at its ODS code', async () => {
    const mapping = parseRoleMapping(JSON.stringify({ rules: [{ roleCode: 'R8012', orgCode: 'QHM', platformRole: 'AUDITOR', icbCode: 'QHM' }, { roleCode: 'R8012', orgCode: 'X26', platformRole: 'AUDITOR', icbCode: 'all' }] }), 'test');
    expect((await mapNrbacRoles(mapping, [nrbac('QHM', 'R8012')], [], byOds)).grants).toEqual([{ role: UserRole.Auditor, organisationId: null, icbCode: 'QHM' }]);
    expect((await mapNrbacRoles(mapping, [nrbac('X26', 'R8012')], [], byOds)).grants).toEqual([{ role: UserRole.Auditor, organisationId: null, icbCode: null }]);
    expect((await mapNrbacRoles(mapping, [nrbac('QXX', 'R8012')], [], byOds)).grants).toEqual([]);
  });

  it.each([
    ['not JSON', '{', 'OIDC_ROLE_MAPPING is not valid JSON'],
    ['no rules', '{"rules":[]}', 'must be an object with a non-empty "rules" list'],
    ['bad role code', '{"rules":[{"roleCode":"8000","platformRole":"PCN_MANAGER"}]}', 'rule 1: roleCode must be a national RBAC job role code'],
    ['unknown platform role', '{"rules":[{"roleCode":"R8000","platformRole":"GOD"}]}', 'rule 1: platformRole must be one of'],
    ['admin without an ODS code', '{"rules":[{"roleCode":"R8015","platformRole":"PLATFORM_ADMIN"}]}', 'PLATFORM_ADMIN names no organisation'],
    ['auditor without icbCode', '{"rules":[{"roleCode":"R8012","orgCode":"QHM","platformRole":"AUDITOR"}]}', 'an AUDITOR rule must give icbCode'],
    ['unknown field', '{"rules":[{"roleCode":"R8000","platformRole":"PCN_MANAGER","org":"x"}]}', 'unknown field "org"'],
  ])('refuses a mapping table at start-up: %s', (_label, json, message) => {
    expect(() => loadRoleMapping({ OIDC_ROLE_MAPPING: json, OIDC_ROLE_MAPPING_FILE: '' })).toThrow(ConfigurationError);
    expect(() => loadRoleMapping({ OIDC_ROLE_MAPPING: json, OIDC_ROLE_MAPPING_FILE: '' })).toThrow(message);
  });

  it('refuses an unreadable mapping file and uses the default when nothing is set', () => {
    expect(() => loadRoleMapping({ OIDC_ROLE_MAPPING: '', OIDC_ROLE_MAPPING_FILE: '/nonexistent/mapping.json' })).toThrow('OIDC_ROLE_MAPPING_FILE /nonexistent/mapping.json cannot be read');
    expect(loadRoleMapping({ OIDC_ROLE_MAPPING: '', OIDC_ROLE_MAPPING_FILE: '' })).toBe(DEFAULT_ROLE_MAPPING);
  });
});

describe('CIS2 configuration', () => {
  it('OIDC is off with nothing set; an issuer needs a client id and secret; the assurance level is 1–3; PASSWORD_SIGN_IN is on or off', () => {
    expect(loadTypedConfig(OidcEnv, {})).toMatchObject({ OIDC_ISSUER_URL: '', PASSWORD_SIGN_IN: 'on', OIDC_MINIMUM_ASSURANCE_LEVEL: 3, OIDC_ACR_VALUES: 'AAL3_ANY', OIDC_SCOPES: 'openid profile email nationalrbacaccess associatedorgs' });
    expect(() => loadTypedConfig(OidcEnv, { OIDC_ISSUER_URL: 'https://cis2.example.nhs.uk' })).toThrow('OIDC_CLIENT_ID must be set when OIDC_ISSUER_URL is set');
    expect(() => loadTypedConfig(OidcEnv, { OIDC_ISSUER_URL: 'https://cis2.example.nhs.uk', OIDC_CLIENT_ID: 'x' })).toThrow('OIDC_CLIENT_SECRET must be set when OIDC_ISSUER_URL is set');
    expect(() => loadTypedConfig(OidcEnv, { OIDC_ISSUER_URL: 'not a url' })).toThrow('OIDC_ISSUER_URL must be the https URL');
    expect(() => loadTypedConfig(OidcEnv, { OIDC_MINIMUM_ASSURANCE_LEVEL: '4' })).toThrow('OIDC_MINIMUM_ASSURANCE_LEVEL must be 1, 2 or 3');
    expect(() => loadTypedConfig(OidcEnv, { PASSWORD_SIGN_IN: 'no' })).toThrow('PASSWORD_SIGN_IN must be on or off');
  });

  it.each([
    [{ acr: 'AAL3_ANY' }, 3],
    [{ acr: 'AAL2_OR_AAL3_ANY' }, 2],
    [{ acr: 'AAL2_ANY' }, 2],
    [{ acr: 'AAL1_USERPASS' }, 1],
    [{ acr: 'AAL1_USERPASS', authentication_assurance_level: '3' }, 3],
    [{ acr: 'something' }, 0],
    [{}, 0],
  ])('assurance level of %j is %i', (claims, level) => {
    expect(assuranceLevel(claims)).toBe(level);
  });

  it('records the method for audit in words', () => expect(cis2AuthMethod(3)).toBe('NHS CIS2 (AAL3)'));
});
