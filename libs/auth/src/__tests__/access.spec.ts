import 'reflect-metadata';
import { Controller, ExecutionContext, Get } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AccessGuard } from '../guards/access.guard';
import { SessionRevocation } from '../security/session-revocation.service';
import { Authenticated, Public, RequirePermission } from '../guards/access.decorators';
import { AuthException } from '../auth.exception';
import { Permission, ROLE_PERMISSIONS, UserRole } from '../auth.enums';
import { auditorScope, hasPermission, isPlatformAdmin, organisationsWithRole, Principal, RoleGrantClaim } from '../principal';

const principal = (...grants: RoleGrantClaim[]): Principal => ({ id: 'u', email: 'u@test', displayName: 'U', personId: null, grants, authMethod: 'password' });
const grant = (role: UserRole, organisationId: string | null = null, icbCode: string | null = null): RoleGrantClaim => ({ role, organisationId, icbCode });

@Controller('things')
class UndeclaredController {
  @Get() list() {}
  @Public() @Get('open') open() {}
}

@Authenticated()
@Controller('mine')
class ClassLevelController {
  @Get() list() {}
  @RequirePermission(Permission.AuditRead) @Get('audit') audit() {}
}

function contextFor(controller: Function, method: string): ExecutionContext {
  return {
    getHandler: () => controller.prototype[method],
    getClass: () => controller,
    switchToHttp: () => ({ getRequest: () => ({ headers: {} }), getResponse: () => ({}) }),
    getType: () => 'http',
  } as unknown as ExecutionContext;
}

describe('AccessGuard (deny by default)', () => {
  // These cases end before any session is looked at; revocation is covered end to end (auth.e2e-spec).
  const notConsulted = { isRevoked: () => Promise.reject(new Error('revocation is not consulted here')) } as unknown as SessionRevocation;
  const guard = new AccessGuard(new Reflector(), notConsulted);

  it('closes a route that declares no rule, for everyone, with NO_ACCESS_RULE', async () => {
    const error = await guard.canActivate(contextFor(UndeclaredController, 'list')).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AuthException);
    expect(error).toEqual(expect.objectContaining({ code: 'NO_ACCESS_RULE', status: 403 }));
  });

  it('lets anyone through a @Public route without looking for a token', async () => {
    await expect(guard.canActivate(contextFor(UndeclaredController, 'open'))).resolves.toBe(true);
  });

  it('a method-level rule overrides the class-level one', () => {
    const reflector = new Reflector();
    const rule = (m: string) => reflector.getAllAndOverride('pcn:access-rule', [ClassLevelController.prototype[m as 'list'], ClassLevelController]);
    expect(rule('list')).toEqual({ kind: 'authenticated' });
    expect(rule('audit')).toEqual({ kind: 'permission', permissions: [Permission.AuditRead] });
  });

  it('turns a missing or invalid token into 401 NOT_AUTHENTICATED', () => {
    expect(() => guard.handleRequest(null, false)).toThrow(expect.objectContaining({ code: 'NOT_AUTHENTICATED', status: 401 }));
    expect(() => guard.handleRequest(new Error('jwt expired'), false)).toThrow(expect.objectContaining({ code: 'NOT_AUTHENTICATED' }));
    const user = principal();
    expect(guard.handleRequest(null, user)).toBe(user);
  });
});

describe('principal helpers', () => {
  it('hasPermission follows ROLE_PERMISSIONS through any grant', () => {
    expect(hasPermission(principal(grant(UserRole.PracticeSignatory, 'p1')), Permission.AgreementSign)).toBe(true);
    expect(hasPermission(principal(grant(UserRole.PracticeSignatory, 'p1')), Permission.AgreementDraft)).toBe(false);
    expect(hasPermission(principal(grant(UserRole.PracticeManager, 'p1'), grant(UserRole.ClinicalDirector, 'n1')), Permission.AgreementDraft)).toBe(true);
    expect(hasPermission(principal(), Permission.DirectoryRead)).toBe(false);
    expect(ROLE_PERMISSIONS[UserRole.PlatformAdmin]).toEqual(Object.values(Permission));
  });

  it('only platform admins have directory.write and admin.queues', () => {
    for (const role of Object.values(UserRole)) {
      const can = ROLE_PERMISSIONS[role].some((p) => p === Permission.DirectoryWrite || p === Permission.AdminQueues);
      expect({ role, can }).toEqual({ role, can: role === UserRole.PlatformAdmin });
    }
  });

  it('organisationsWithRole lists the organisations of the matching grants only', () => {
    const user = principal(grant(UserRole.ClinicalDirector, 'n1'), grant(UserRole.PracticeSignatory, 'p1'), grant(UserRole.PcnManager, 'n2'));
    expect(organisationsWithRole(user, UserRole.ClinicalDirector, UserRole.PcnManager)).toEqual(['n1', 'n2']);
    expect(organisationsWithRole(user, UserRole.PracticeManager)).toEqual([]);
  });

  it('auditorScope: an ICB auditor sees their ICBs, a national auditor (no ICB) sees all, others none', () => {
    expect(auditorScope(principal(grant(UserRole.Auditor, null, 'QHM')))).toEqual(['QHM']);
    expect(auditorScope(principal(grant(UserRole.Auditor, null, 'QHM'), grant(UserRole.Auditor, null, null)))).toBe('all');
    expect(auditorScope(principal(grant(UserRole.ClinicalDirector, 'n1')))).toEqual([]);
  });

  it('isPlatformAdmin', () => {
    expect(isPlatformAdmin(principal(grant(UserRole.PlatformAdmin)))).toBe(true);
    expect(isPlatformAdmin(principal(grant(UserRole.Auditor)))).toBe(false);
  });
});
