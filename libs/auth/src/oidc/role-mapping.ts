import { readFileSync } from 'node:fs';
import { ConfigurationError } from '@pcn/common';
import { ORGANISATION_SCOPED_ROLES, UserRole } from '../auth.enums';
import type { RoleGrantClaim } from '../principal';
import type { OidcConfig } from './oidc.config';

/** One entry of CIS2's `nhsid_nrbac_roles` claim. */
export interface NrbacRole {
  org_code: string;
  person_roleid: string;
  role_code: string;
  role_name?: string;
}

/** One entry of CIS2's `nhsid_user_orgs` claim. */
export interface UserOrg {
  org_code: string;
  org_name?: string;
}

/**
 * A row of the mapping table: a national RBAC role code (R-code, matched on the code
 * itself or as the last part of a colon-joined `role_code` like "S8000:G8000:R8000"),
 * optionally only at one ODS code or one kind of organisation, gives a platform role.
 * Organisation-scoped roles apply to the organisation whose ODS code is the role's
 * `org_code`; PLATFORM_ADMIN and AUDITOR name no organisation, so their rows must name
 * the ODS code (`orgCode`) the national role must be held at; an AUDITOR row also says
 * which ICB (`icbCode`, three characters, or "all").
 */
export interface RoleMappingRule {
  roleCode: string;
  platformRole: UserRole;
  orgCode?: string;
  organisationKind?: string;
  icbCode?: string;
}

export interface RoleMapping {
  rules: RoleMappingRule[];
}

/**
 * A starting point, to be agreed with each organisation's Registration Authority
 * (docs/security.md, "Configuring CIS2"): clinical practitioners (R8000) at a PCN are its
 * clinical director, admin and clinical support (R8008) at a PCN its manager, GPs
 * (R0260) at a practice sign for it, practice admin (R8008) manage it. No platform
 * administrator or auditor by default: those need rows naming their ODS code.
 */
export const DEFAULT_ROLE_MAPPING: RoleMapping = {
  rules: [
    { roleCode: 'R8000', organisationKind: 'PCN', platformRole: UserRole.ClinicalDirector },
    { roleCode: 'R8008', organisationKind: 'PCN', platformRole: UserRole.PcnManager },
    { roleCode: 'R0260', organisationKind: 'GP_PRACTICE', platformRole: UserRole.PracticeSignatory },
    { roleCode: 'R8008', organisationKind: 'GP_PRACTICE', platformRole: UserRole.PracticeManager },
  ],
};

const ROLES = new Set<string>(Object.values(UserRole));

/** Checks a mapping table; throws a one-line ConfigurationError naming the bad row. */
export function parseRoleMapping(json: string, source: string): RoleMapping {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new ConfigurationError(`Invalid configuration: ${source} is not valid JSON`);
  }
  const rules = (raw as { rules?: unknown })?.rules;
  if (!Array.isArray(rules) || rules.length === 0) throw new ConfigurationError(`Invalid configuration: ${source} must be an object with a non-empty "rules" list`);
  return {
    rules: rules.map((rule: Record<string, unknown>, i): RoleMappingRule => {
      const bad = (why: string) => new ConfigurationError(`Invalid configuration: ${source} rule ${i + 1}: ${why}`);
      if (typeof rule !== 'object' || rule === null) throw bad('must be an object');
      const known = new Set(['roleCode', 'platformRole', 'orgCode', 'organisationKind', 'icbCode']);
      const unknown = Object.keys(rule).find((k) => !known.has(k));
      if (unknown) throw bad(`unknown field "${unknown}"`);
      if (typeof rule.roleCode !== 'string' || !/^R\d{4}$/.test(rule.roleCode)) throw bad('roleCode must be a national RBAC job role code like R8000');
      if (typeof rule.platformRole !== 'string' || !ROLES.has(rule.platformRole)) throw bad(`platformRole must be one of ${[...ROLES].join(', ')}`);
      if (rule.orgCode !== undefined && (typeof rule.orgCode !== 'string' || !/^[A-Z0-9]{3,10}$/.test(rule.orgCode))) throw bad('orgCode must be an ODS code');
      if (rule.organisationKind !== undefined && typeof rule.organisationKind !== 'string') throw bad('organisationKind must be text such as PCN or GP_PRACTICE');
      const role = rule.platformRole as UserRole;
      const scoped = ORGANISATION_SCOPED_ROLES.includes(role);
      if (!scoped && !rule.orgCode) throw bad(`${role} names no organisation, so the rule must give the orgCode the national role is held at`);
      if (!scoped && rule.organisationKind) throw bad(`${role} cannot be limited by organisationKind`);
      if (role === UserRole.Auditor && (typeof rule.icbCode !== 'string' || !(rule.icbCode === 'all' || /^Q[0-9A-Z]{2}$/.test(rule.icbCode)))) throw bad('an AUDITOR rule must give icbCode: an ICB code like QHM, or "all"');
      if (role !== UserRole.Auditor && rule.icbCode !== undefined) throw bad('icbCode is only for AUDITOR rules');
      return { roleCode: rule.roleCode, platformRole: role, ...(rule.orgCode ? { orgCode: rule.orgCode as string } : {}), ...(rule.organisationKind ? { organisationKind: rule.organisationKind as string } : {}), ...(rule.icbCode ? { icbCode: rule.icbCode as string } : {}) };
    }),
  };
}

/** The mapping table in force: OIDC_ROLE_MAPPING, else OIDC_ROLE_MAPPING_FILE, else the default. */
export function loadRoleMapping(config: Pick<OidcConfig, 'OIDC_ROLE_MAPPING' | 'OIDC_ROLE_MAPPING_FILE'>): RoleMapping {
  if (config.OIDC_ROLE_MAPPING) return parseRoleMapping(config.OIDC_ROLE_MAPPING, 'OIDC_ROLE_MAPPING');
  if (config.OIDC_ROLE_MAPPING_FILE) {
    let text: string;
    try {
      text = readFileSync(config.OIDC_ROLE_MAPPING_FILE, 'utf8');
    } catch {
      throw new ConfigurationError(`Invalid configuration: OIDC_ROLE_MAPPING_FILE ${config.OIDC_ROLE_MAPPING_FILE} cannot be read`);
    }
    return parseRoleMapping(text, `OIDC_ROLE_MAPPING_FILE (${config.OIDC_ROLE_MAPPING_FILE})`);
  }
  return DEFAULT_ROLE_MAPPING;
}

/** What the mapping needs to know about an organisation the directory holds. */
export interface MappedOrganisation {
  id: string;
  kind: string;
  name: string;
}

export type OrganisationByOdsCode = (odsCode: string) => Promise<MappedOrganisation | null>;

export interface MappingResult {
  grants: RoleGrantClaim[];
  /** National roles no rule (or no known organisation) applied to, in words for the refusal page. */
  unmatched: { roleName: string; orgCode: string; orgName: string | null }[];
}

const roleCodeOf = (role: NrbacRole) => (role.role_code ?? '').split(':').pop() ?? '';

/** National roles → platform grants through the mapping table; organisations by ODS code. */
export async function mapNrbacRoles(mapping: RoleMapping, roles: NrbacRole[], userOrgs: UserOrg[], organisationByOds: OrganisationByOdsCode): Promise<MappingResult> {
  const grants: RoleGrantClaim[] = [];
  const unmatched: MappingResult['unmatched'] = [];
  const orgName = (code: string) => userOrgs.find((o) => o.org_code === code)?.org_name ?? null;
  // A role held at an organisation the person is not associated with is ignored (when CIS2 says which they are).
  const associated = (code: string) => userOrgs.length === 0 || userOrgs.some((o) => o.org_code === code);
  for (const role of roles) {
    if (!role || typeof role.org_code !== 'string' || typeof role.role_code !== 'string') continue;
    const code = roleCodeOf(role);
    let matched = false;
    const organisation = associated(role.org_code) ? await organisationByOds(role.org_code) : null;
    for (const rule of mapping.rules) {
      if (rule.roleCode !== code) continue;
      if (rule.orgCode && rule.orgCode !== role.org_code) continue;
      if (!associated(role.org_code)) continue;
      if (ORGANISATION_SCOPED_ROLES.includes(rule.platformRole)) {
        if (!organisation) continue;
        if (rule.organisationKind && rule.organisationKind !== organisation.kind) continue;
        grants.push({ role: rule.platformRole, organisationId: organisation.id, icbCode: null });
      } else {
        grants.push({ role: rule.platformRole, organisationId: null, icbCode: rule.platformRole === UserRole.Auditor && rule.icbCode !== 'all' ? (rule.icbCode ?? null) : null });
      }
      matched = true;
    }
    if (!matched) unmatched.push({ roleName: role.role_name || code, orgCode: role.org_code, orgName: organisation?.name ?? orgName(role.org_code) });
  }
  const seen = new Set<string>();
  return { grants: grants.filter((g) => (k => (seen.has(k) ? false : (seen.add(k), true)))(`${g.role}|${g.organisationId}|${g.icbCode}`)), unmatched };
}
