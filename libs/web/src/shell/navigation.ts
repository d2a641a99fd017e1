import { Permission, hasPermission, Principal, UserRole } from '@pcn/auth';

export interface NavigationItem {
  href: string;
  text: string;
  current?: boolean;
}

/** The header's links, by what the signed-in person can do. */
export function navigationFor(principal: Principal | null, path: string): NavigationItem[] {
  if (!principal) return [{ href: '/verify', text: 'Check a document', current: path.startsWith('/verify') }];
  const roles = new Set(principal.grants.map((g) => g.role));
  const items: NavigationItem[] = [{ href: '/tasks', text: 'My tasks' }];
  if (hasPermission(principal, Permission.AgreementRead)) items.push({ href: '/agreements', text: 'Agreements' });
  // DPOs and Caldicott Guardians are people in the directory, not a user role.
  if (principal.personId) items.push({ href: '/annexes', text: 'Data-sharing annexes' });
  if (roles.has(UserRole.Auditor) || roles.has(UserRole.PlatformAdmin)) items.push({ href: '/audit/search', text: 'Find executed agreements' });
  if (hasPermission(principal, Permission.PeopleManage)) items.push({ href: '/people', text: 'People' });
  items.push({ href: '/verify', text: 'Check a document' });
  if (roles.has(UserRole.PlatformAdmin)) items.push({ href: '/onboarding', text: 'ICBs and PCNs' });
  if (roles.has(UserRole.PlatformAdmin)) items.push({ href: '/admin/queues', text: 'Queues' });
  return items.map((item) => ({ ...item, current: path === item.href || path.startsWith(`${item.href}/`) }));
}
