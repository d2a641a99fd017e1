import { randomBytes } from 'node:crypto';
import { AuthService, Principal, RoleGrantClaim, UserRole } from '@pcn/auth';
import { ContractType, DirectoryService, LegalForm, NON_GP_KINDS, OrganisationEntity, OrganisationKind, PersonEntity } from '@pcn/directory';
import { AgreementContent, AgreementsService, SavedRevision } from '@pcn/agreements';
import { BYTES_IDS, BYTES_PRACTICES, buildValidContent, DeepPartial } from '../../libs/agreements/src/content/testing/content.factory';
import type { TestApp } from './test-app';

/*
 * Insert factories for integration and e2e tests. Everything goes through the real
 * services (so every rule and constraint applies) and, for users, through the real
 * sign-in endpoint. Each test file has its own database, so a per-file counter is
 * enough to keep ODS codes and emails unique.
 */

let sequence = 0;
const next = () => ++sequence;
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const suffix = () => randomBytes(3).toString('hex');

/** A unique GP practice ODS code: a capital letter and five digits. */
export function nextPracticeOdsCode(): string {
  return `P${pad(next(), 5)}`;
}

/** A unique PCN code: U and five digits. */
export function nextPcnCode(): string {
  return `U${pad(next(), 5)}`;
}

export const SEED_ACTOR = Object.freeze({ userId: null, ip: null, userAgent: 'test factory', authMethod: 'test' });

/** A platform admin principal for calling services directly (no token involved). */
export const ADMIN_PRINCIPAL: Principal = Object.freeze({
  id: '00000000-0000-4000-8000-000000000000',
  email: 'factory@test.invalid',
  displayName: 'Test factory',
  personId: null,
  grants: [{ role: UserRole.PlatformAdmin, organisationId: null, icbCode: null }],
  authMethod: 'test',
}) as Principal;

export interface PracticeOptions {
  name?: string;
  odsCode?: string;
  legalForm?: LegalForm;
  contractType?: ContractType;
  listSize?: number;
  listSizeDate?: string;
}

export function createPractice(app: TestApp, options: PracticeOptions = {}): Promise<OrganisationEntity> {
  const n = next();
  return app.app.get(DirectoryService).createPractice({
    name: options.name ?? `Practice ${n} ${suffix()}`,
    odsCode: options.odsCode ?? `P${pad(n, 5)}`,
    contractType: options.contractType ?? ContractType.Gms,
    legalForm: options.legalForm ?? LegalForm.Partnership,
    listSize: options.listSize ?? 9_000,
    listSizeDate: options.listSizeDate ?? '2026-04-01',
  });
}

export interface PcnOptions {
  name?: string;
  code?: string | null;
  icbCode?: string;
  networkArea?: string;
}

export function createPcn(app: TestApp, options: PcnOptions = {}): Promise<OrganisationEntity> {
  const n = next();
  return app.app.get(DirectoryService).createPcn({
    name: options.name ?? `Network ${n} PCN ${suffix()}`,
    ...(options.code === null ? {} : { code: options.code ?? `U${pad(n, 5)}` }),
    icbCode: options.icbCode ?? 'QHM',
    networkArea: options.networkArea ?? `Wards of test town ${n}`,
  });
}

export interface PcnWithPracticesOptions extends PcnOptions {
  practices?: number;
  /** One per practice, cycled if shorter. */
  legalForms?: LegalForm[];
  /** One per practice, cycled if shorter. */
  listSizes?: number[];
  joinedOn?: string;
}

export interface PcnWithPractices {
  pcn: OrganisationEntity;
  practices: OrganisationEntity[];
}

/** A PCN with `practices` core member practices (default 4) that joined on `joinedOn`. */
export async function createPcnWithPractices(app: TestApp, options: PcnWithPracticesOptions = {}): Promise<PcnWithPractices> {
  const directory = app.app.get(DirectoryService);
  const pcn = await createPcn(app, options);
  const count = options.practices ?? 4;
  const practices: OrganisationEntity[] = [];
  for (let i = 0; i < count; i++) {
    const practice = await createPractice(app, {
      legalForm: options.legalForms?.length ? options.legalForms[i % options.legalForms.length] : undefined,
      listSize: options.listSizes?.length ? options.listSizes[i % options.listSizes.length] : undefined,
    });
    await directory.addMembership(pcn.id, { practiceId: practice.id, joinedOn: options.joinedOn ?? '2020-04-01' });
    practices.push(practice);
  }
  return { pcn, practices };
}

export function createPartnerOrganisation(app: TestApp, kind: (typeof NON_GP_KINDS)[number] = OrganisationKind.NhsTrust, name?: string): Promise<OrganisationEntity> {
  const n = next();
  return app.app.get(DirectoryService).createPartnerOrganisation({ kind, name: name ?? `Partner ${n} ${suffix()}`, odsCode: `R${pad(n, 4)}` });
}

export function createPerson(app: TestApp, fullName = `Person ${next()}`): Promise<PersonEntity> {
  return app.app.get(DirectoryService).createPerson({ fullName, email: `person-${next()}-${suffix()}@test.nhs.uk` });
}

// ---- users -----------------------------------------------------------------

export interface TestUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  /** `Authorization` header value. */
  bearer: string;
}

export interface UserOptions {
  email?: string;
  password?: string;
  displayName?: string;
  personId?: string | null;
  /** For auditors: the ICB they may see; null (default) is a national auditor. */
  icbCode?: string | null;
  /** More grants beyond the first. */
  extraGrants?: RoleGrantClaim[];
}

/** Signs in over HTTP, as a client would. */
export async function login(app: TestApp, email: string, password: string): Promise<{ accessToken: string; refreshToken: string }> {
  const res = await app.http.post('/api/v1/auth/login').send({ email, password });
  if (res.status !== 200) throw new Error(`login as ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { accessToken: res.body.accessToken, refreshToken: res.body.refreshToken };
}

/** Any number of grants; signs in over HTTP and returns the tokens. */
export async function createUserWithGrants(app: TestApp, grants: RoleGrantClaim[], options: UserOptions = {}): Promise<TestUser> {
  const email = options.email ?? `user-${next()}-${suffix()}@test.nhs.uk`;
  const password = options.password ?? `pw-${randomBytes(12).toString('base64url')}`;
  const user = await app.app.get(AuthService).createUser({
    email,
    displayName: options.displayName ?? email.split('@')[0],
    password,
    personId: options.personId ?? null,
    grants: [...grants, ...(options.extraGrants ?? [])],
  });
  const tokens = await login(app, email, password);
  return { id: user.id, email, password, ...tokens, bearer: `Bearer ${tokens.accessToken}` };
}

/**
 * A user holding `role`. Organisation-scoped roles need `organisationId`; platform admins
 * and auditors take none (auditors may be limited to one ICB with `options.icbCode`).
 */
export function createUserWithRole(app: TestApp, role: UserRole, organisationId: string | null = null, options: UserOptions = {}): Promise<TestUser> {
  const unscoped = role === UserRole.PlatformAdmin || role === UserRole.Auditor;
  if (!unscoped && !organisationId) throw new Error(`${role} needs an organisation`);
  return createUserWithGrants(app, [{ role, organisationId: unscoped ? null : organisationId, icbCode: role === UserRole.Auditor ? (options.icbCode ?? null) : null }], options);
}

// ---- agreements ------------------------------------------------------------

/**
 * The organisations `buildValidContent` talks about, for real: a PCN whose four core
 * practices stand in for the factory's Bytes practices, the community trust it names in
 * Schedule 7 and the federation it keeps "known but not party".
 */
export interface AgreementFixture extends PcnWithPractices {
  communityTrust: OrganisationEntity;
  federation: OrganisationEntity;
  /** Factory id → real id. */
  idMap: Record<string, string>;
}

export interface AgreementFixtureOptions extends PcnOptions {
  /** Defaults to the factory's sizes (37,300 in total, inside 30,000–50,000). */
  listSizes?: number[];
}

export async function createAgreementFixture(app: TestApp, options: AgreementFixtureOptions = {}): Promise<AgreementFixture> {
  const { pcn, practices } = await createPcnWithPractices(app, {
    ...options,
    practices: BYTES_PRACTICES.length,
    legalForms: BYTES_PRACTICES.map((p) => p.legalForm as unknown as LegalForm),
    listSizes: options.listSizes ?? BYTES_PRACTICES.map((p) => p.listSize),
  });
  const communityTrust = await createPartnerOrganisation(app, OrganisationKind.NhsTrust, `Community Trust ${suffix()}`);
  const federation = await createPartnerOrganisation(app, OrganisationKind.Federation, `GP Federation ${suffix()}`);
  const person = await createPerson(app, 'Dr Asha Patel');
  const idMap: Record<string, string> = {
    [BYTES_IDS.riverside]: practices[0].id,
    [BYTES_IDS.castleStreet]: practices[1].id,
    [BYTES_IDS.hillview]: practices[2].id,
    [BYTES_IDS.northgate]: practices[3].id,
    [BYTES_IDS.communityTrust]: communityTrust.id,
    [BYTES_IDS.federation]: federation.id,
    [BYTES_IDS.clinicalDirector]: person.id,
  };
  return { pcn, practices, communityTrust, federation, idMap };
}

/**
 * `buildValidContent` with every factory organisation id replaced by the fixture's real
 * one, and the core practices replaced by the fixture's members (the server fills them
 * from memberships anyway). Passes the DTOs and every business rule.
 */
export function validContentFor(fixture: AgreementFixture, overrides: DeepPartial<AgreementContent> = {}): AgreementContent {
  const content = remapIds(buildValidContent(overrides), fixture.idMap);
  content.schedules.keyDetails.corePractices = fixture.practices.map((p) => ({
    organisationId: p.id,
    odsCode: p.odsCode!,
    name: p.name,
    listSize: p.listSize ?? 0,
    listSizeDate: p.listSizeDate ?? '2026-04-01',
    legalForm: p.legalForm as never,
  }));
  return content;
}

function remapIds<T>(value: T, idMap: Record<string, string>): T {
  const json = JSON.stringify(value).replace(/"([0-9a-f-]{36})"/g, (whole, id: string) => (idMap[id] ? `"${idMap[id]}"` : whole));
  return JSON.parse(json) as T;
}

/** Creates a draft through the service, as the platform admin. */
export function createDraftAgreement(app: TestApp, fixture: AgreementFixture, content: AgreementContent = validContentFor(fixture)): Promise<SavedRevision> {
  return app.app.get(AgreementsService).create(ADMIN_PRINCIPAL, fixture.pcn.id, { content }, SEED_ACTOR);
}
