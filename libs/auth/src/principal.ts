import { Permission, ROLE_PERMISSIONS, UserRole } from './auth.enums';

export interface RoleGrantClaim {
  role: UserRole;
  /** The PCN, practice or partner organisation the grant applies to. */
  organisationId: string | null;
  /** Auditors: the ICB they may see; null means every ICB. */
  icbCode: string | null;
}

/** The signed-in user as every service sees it; carried in the access token, so no lookup per request. */
export interface Principal {
  id: string;
  email: string;
  displayName: string;
  personId: string | null;
  grants: RoleGrantClaim[];
  authMethod: string;
}

export function hasPermission(principal: Principal, permission: Permission): boolean {
  return principal.grants.some((g) => ROLE_PERMISSIONS[g.role]?.includes(permission));
}

export function isPlatformAdmin(principal: Principal): boolean {
  return principal.grants.some((g) => g.role === UserRole.PlatformAdmin);
}

/** Organisation ids on which the user holds any of `roles`. */
export function organisationsWithRole(principal: Principal, ...roles: UserRole[]): string[] {
  return principal.grants.filter((g) => roles.includes(g.role) && g.organisationId).map((g) => g.organisationId as string);
}

/** ICB codes an auditor may read; `'all'` for a national auditor. */
export function auditorScope(principal: Principal): 'all' | string[] {
  const grants = principal.grants.filter((g) => g.role === UserRole.Auditor);
  if (grants.some((g) => g.icbCode === null)) return 'all';
  return grants.map((g) => g.icbCode as string);
}
