import { OrganisationEntity } from '@pcn/directory';
import { InvitationService, UserEntity, UserRole } from '@pcn/auth';
import { loadBytes, EMAIL } from '../support/workflow-scenario';
import { startTestOidcProvider, type TestOidcProvider } from '../support/test-oidc-provider';
import { startBrowserWorld, type BrowserWorld } from './support/browser-world';
import { checkPage, navigateBy, open, press, shot } from './support/page-checks';

/**
 * "Sign in with NHS Care Identity Service 2" in chromium against a real OpenID provider on
 * loopback: the button on the sign-in page, the provider's login page, the callback, and
 * the page the person wanted; a refusal page for a role at an unknown organisation.
 */
describe.each([
  ['with JavaScript', true],
  ['without JavaScript', false],
])('CIS2 sign-in in chromium %s', (_label, javaScriptEnabled) => {
  let op: TestOidcProvider;
  let world: BrowserWorld;
  const suffix = javaScriptEnabled ? 'js' : 'nojs';

  beforeAll(async () => {
    op = await startTestOidcProvider();
    world = await startBrowserWorld({ javaScriptEnabled, worker: false, env: op.env() });
    op.setRedirectUri(`${world.baseUrl}/sign-in/cis2/callback`);
    await loadBytes(world.t);
    op.addAccount({ sub: 'c1d2e3f4-0000-4000-8000-00000000cd01', name: 'Dr Amira Okafor', email: EMAIL.cd, acr: 'AAL3_ANY', roles: [{ org_code: 'U70101', role_code: 'S8000:G8000:R8000', role_name: 'Clinical Practitioner Access Role', person_roleid: '555001' }], orgs: [{ org_code: 'U70101', org_name: 'BYTES PCN' }] });
    op.addAccount({ sub: 'c1d2e3f4-0000-4000-8000-00000000cd02', name: 'Dr Samuel Adeyemi', email: EMAIL.adeyemi, acr: 'AAL3_ANY', roles: [{ org_code: 'Y99999', role_code: 'S8000:G8000:R0260', role_name: 'General Medical Practitioner', person_roleid: '555002' }], orgs: [{ org_code: 'Y99999', org_name: 'Riverside Surgery' }] });
  });
  afterAll(async () => {
    await world?.close();
    await op?.close();
  });

  it('a clinical director signs in with CIS2 and lands on the page they wanted, named in the header', async () => {
    const { page } = await world.person();
    await open(page, '/agreements');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    // A link styled as the design system's button (role="button"), so it works without JavaScript.
    const button = page.getByRole('button', { name: 'Sign in with NHS Care Identity Service 2' });
    expect(await button.count()).toBe(1);
    await checkPage(page);
    await shot(page, `cis2-sign-in-${suffix}`);
    await navigateBy(page, () => button.click());
    expect(new URL(page.url()).origin).toBe(op.issuer);
    await page.getByLabel('Smartcard user ID').fill('c1d2e3f4-0000-4000-8000-00000000cd01');
    await navigateBy(page, () => page.getByRole('button', { name: 'Sign in' }).click());
    await page.waitForURL(`${world.baseUrl}/agreements`);
    expect(await page.locator('header').innerText()).toContain('Dr Amira Okafor');
    const user = await world.t.dataSource.getRepository(UserEntity).findOneByOrFail({ email: EMAIL.cd });
    expect(user.oidcSubject).toBe('c1d2e3f4-0000-4000-8000-00000000cd01');
    await press(page, 'Sign out');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
  });

  it('a GP whose practice the platform does not know gets a clear refusal page and stays signed out', async () => {
    const { page } = await world.person();
    await open(page, '/sign-in');
    await navigateBy(page, () => page.getByRole('button', { name: 'Sign in with NHS Care Identity Service 2' }).click());
    await page.getByLabel('Smartcard user ID').fill('c1d2e3f4-0000-4000-8000-00000000cd02');
    await navigateBy(page, () => page.getByRole('button', { name: 'Sign in' }).click());
    await page.waitForURL((url) => url.pathname === '/sign-in/cis2/callback');
    expect(await page.title()).toBe('Your smartcard role does not give access to this service – PCN Agreements');
    expect(await page.locator('main').innerText()).toContain('General Medical Practitioner at Riverside Surgery (Y99999)');
    await checkPage(page);
    await shot(page, `cis2-refused-${suffix}`);
    await open(page, '/tasks');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect(await world.t.dataSource.getRepository(OrganisationEntity).countBy({ odsCode: 'Y99999' })).toBe(0);
  });

  it('an invited practice manager accepts with "Use your NHS smartcard or authenticator (CIS2)", then signs in with it', async () => {
    const email = `ines.park.${suffix}@yarm.demo.nhs.uk`;
    const sub = `c1d2e3f4-0000-4000-8000-00000000cd1${javaScriptEnabled ? 1 : 2}`;
    const yarm = await world.t.dataSource.getRepository(OrganisationEntity).findOneByOrFail({ odsCode: 'A87001' });
    // The link as the invitation email job issues it (this world runs no worker).
    const invitations = world.t.app.get(InvitationService);
    const invitation = await world.t.dataSource.transaction((em) => invitations.create(em, { email, displayName: 'Ines Park', personId: null, organisationId: yarm.id, grants: [{ role: UserRole.PracticeManager, organisationId: yarm.id, icbCode: null }], invitedBy: null }));
    const link = await invitations.issueLink(invitation.id, `browser-${suffix}`);
    op.addAccount({ sub, name: 'Ines Park', email, acr: 'AAL3_ANY', roles: [{ org_code: 'A87001', role_code: 'S8000:G8000:R8008', role_name: 'Admin/Clinical Support Access Role', person_roleid: '555011' }], orgs: [{ org_code: 'A87001', org_name: 'Yarm Medical Practice' }] });

    const { page } = await world.person();
    await open(page, `/invitation/${link!.token}`);
    await checkPage(page);
    await navigateBy(page, () => page.getByRole('button', { name: 'Use your NHS smartcard or authenticator (CIS2)' }).click());
    expect(new URL(page.url()).origin).toBe(op.issuer);
    await page.getByLabel('Smartcard user ID').fill(sub);
    await navigateBy(page, () => page.getByRole('button', { name: 'Sign in' }).click());
    await page.waitForURL((url) => url.pathname === '/sign-in/cis2/callback');
    expect(await page.title()).toBe('Your account is ready – PCN Agreements');
    await checkPage(page);
    expect((await world.t.dataSource.getRepository(UserEntity).findOneByOrFail({ email })).oidcSubject).toBe(sub);
    await navigateBy(page, () => page.getByRole('button', { name: 'Sign in with NHS Care Identity Service 2' }).click());
    // The provider may ask again or remember the session it has just opened.
    if (new URL(page.url()).origin === op.issuer) {
      await page.getByLabel('Smartcard user ID').fill(sub);
      await navigateBy(page, () => page.getByRole('button', { name: 'Sign in' }).click());
    }
    await page.waitForURL(`${world.baseUrl}/tasks`);
    expect(await page.locator('header').innerText()).toContain('Ines Park');
  });
});
