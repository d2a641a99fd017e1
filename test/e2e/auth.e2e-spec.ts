import { UserRole } from '@pcn/auth';
import { createTestApp, TestApp } from '../support/test-app';
import { expectError, expectStatus } from '../support/http-expect';
import { createPcn, createUserWithRole, TestUser } from '../support/factories';

describe('auth (e2e)', () => {
  let t: TestApp;
  let cd: TestUser;
  let pcnId: string;

  beforeAll(async () => {
    t = await createTestApp();
    const pcn = await createPcn(t);
    pcnId = pcn.id;
    cd = await createUserWithRole(t, UserRole.ClinicalDirector, pcnId, { email: 'Clinical.Director@Test.nhs.uk', displayName: 'Dr Clinical Director' });
  });

  afterAll(async () => {
    await t?.close();
  });

  const loginAs = (email: string, password: string) => t.http.post('/api/v1/auth/login').send({ email, password });
  const refresh = (refreshToken: string) => t.http.post('/api/v1/auth/refresh').send({ refreshToken });
  const me = (accessToken: string) => t.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${accessToken}`);

  describe('POST /auth/login', () => {
    it('signs in with the right password and returns an access token and a refresh token', async () => {
      const body = expectStatus(await loginAs(cd.email, cd.password), 200);
      expect(body).toEqual({
        accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
        accessTokenExpiresIn: 900,
        refreshToken: expect.stringMatching(/^[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/),
        refreshTokenExpiresAt: expect.any(String),
        tokenType: 'Bearer',
      });
      // REFRESH_TOKEN_TTL_DAYS (14) from the moment of issue, give or take the request's own duration.
      expect(Math.abs(new Date(body.refreshTokenExpiresAt).getTime() - (Date.now() + 14 * 86_400_000))).toBeLessThan(60_000);
      expectStatus(await me(body.accessToken), 200);
    });

    it('treats the email case-insensitively', async () => {
      expectStatus(await loginAs(cd.email.toUpperCase(), cd.password), 200);
    });

    it('a wrong password is 401 INVALID_CREDENTIALS and issues no tokens', async () => {
      const body = expectError(await loginAs(cd.email, `${cd.password}x`), 401, 'INVALID_CREDENTIALS');
      expect(body.accessToken).toBeUndefined();
      expect(body.refreshToken).toBeUndefined();
    });

    it('an unknown email gets the same answer as a wrong password', async () => {
      const wrongPassword = expectError(await loginAs(cd.email, 'not-the-password'), 401, 'INVALID_CREDENTIALS');
      const unknownEmail = expectError(await loginAs('nobody@test.nhs.uk', 'not-the-password'), 401, 'INVALID_CREDENTIALS');
      expect(unknownEmail.message).toBe(wrongPassword.message);
    });

    // A missing or empty field is a broken field like on every other endpoint (422 VALIDATION_FAILED,
    // each field named), not a failed sign-in: nothing was checked against an account.
    it.each([
      ['no body at all', undefined, ['email', 'password']],
      ['no password', { email: 'someone@test.nhs.uk' }, ['password']],
      ['no email', { password: 'secret' }, ['email']],
      ['empty strings', { email: '', password: '' }, ['email', 'password']],
    ])('missing fields (%s) are 422 VALIDATION_FAILED naming each missing field', async (_label, body, fields) => {
      const req = t.http.post('/api/v1/auth/login');
      const res = body === undefined ? await req : await req.send(body);
      const error = expectError(res, 422, 'VALIDATION_FAILED');
      expect(Object.keys(error.fieldErrors ?? {}).sort()).toEqual(fields);
      expect(error.accessToken).toBeUndefined();
    });

    it('re-hashes a password stored weaker than the configured cost at its next sign-in, and only then', async () => {
      const argon2 = await import('argon2');
      const user = await createUserWithRole(t, UserRole.PcnManager, pcnId);
      const storedHash = async () => (await t.dataSource.query(`SELECT password_hash FROM user_account WHERE id = $1`, [user.id]))[0].password_hash as string;
      // Made before the cost rose: argon2i at 512 KiB, where the test app hashes argon2id at 1 MiB, 1 pass.
      const weak = await argon2.hash(user.password, { type: argon2.argon2i, memoryCost: 512, timeCost: 1 });
      await t.dataSource.query(`UPDATE user_account SET password_hash = $2 WHERE id = $1`, [user.id, weak]);

      expectStatus(await loginAs(user.email, `${user.password}x`), 401);
      expect(await storedHash()).toBe(weak);
      expectStatus(await loginAs(user.email, user.password), 200);
      const upgraded = await storedHash();
      expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=1024,p=4,t=1\$/);
      await expect(argon2.verify(upgraded, user.password)).resolves.toBe(true);
      expectStatus(await loginAs(user.email, user.password), 200);
      expect(await storedHash()).toBe(upgraded);
    });

    it('a disabled account cannot sign in', async () => {
      const user = await createUserWithRole(t, UserRole.PcnManager, pcnId);
      await t.dataSource.query(`UPDATE user_account SET disabled = true WHERE id = $1`, [user.id]);
      expectError(await loginAs(user.email, user.password), 401, 'INVALID_CREDENTIALS');
      // And its refresh token stops working too.
      expectError(await refresh(user.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
    });
  });

  describe('POST /auth/refresh', () => {
    it('rotates: the new pair works; reusing the old refresh token revokes the whole family', async () => {
      const first = expectStatus(await loginAs(cd.email, cd.password), 200);

      const second = expectStatus(await refresh(first.refreshToken), 200);
      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect(second.refreshToken.split('.')[0]).not.toBe(first.refreshToken.split('.')[0]);
      const principal = expectStatus(await me(second.accessToken), 200);
      expect(principal.email).toBe(cd.email.toLowerCase());
      expect(principal.authMethod).toBe('password+refresh');

      // The first token was used once already: presenting it again means it leaked.
      const reused = expectError(await refresh(first.refreshToken), 401, 'REFRESH_TOKEN_REUSED');
      expect(reused.message).toMatch(/sign in again/i);

      // ...so the token the legitimate rotation produced is revoked as well.
      expect((await refresh(second.refreshToken)).status).toBe(401);
      const family = await t.dataSource.query(`SELECT revoked_at FROM refresh_token WHERE family_id = (SELECT family_id FROM refresh_token WHERE id = $1)`, [
        first.refreshToken.split('.')[0],
      ]);
      // The family is exactly the sign-in's token and the one its rotation issued: the refused reuse and the refused refresh issued none.
      expect(family).toHaveLength(2);
      expect(family.every((row: { revoked_at: Date | null }) => row.revoked_at !== null)).toBe(true);

      // Other sessions (other families) are untouched.
      const other = expectStatus(await loginAs(cd.email, cd.password), 200);
      expectStatus(await refresh(other.refreshToken), 200);
    });

    it('a refresh token whose secret is wrong is 401 INVALID_REFRESH_TOKEN', async () => {
      const pair = expectStatus(await loginAs(cd.email, cd.password), 200);
      const [id] = pair.refreshToken.split('.');
      expectError(await refresh(`${id}.${'A'.repeat(43)}`), 401, 'INVALID_REFRESH_TOKEN');
      // The real token still works: a wrong guess does not burn it.
      expectStatus(await refresh(pair.refreshToken), 200);
    });

    it('an expired refresh token is 401 INVALID_REFRESH_TOKEN', async () => {
      const pair = expectStatus(await loginAs(cd.email, cd.password), 200);
      const [id] = pair.refreshToken.split('.');
      await t.dataSource.query(`UPDATE refresh_token SET expires_at = now() - interval '1 minute' WHERE id = $1`, [id]);
      expectError(await refresh(pair.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
    });

    it.each([
      ['not a token', { refreshToken: 'not-a-token' }],
      ['an access token', 'ACCESS'],
      ['a number', { refreshToken: 42 }],
      ['missing', {}],
    ])('a malformed refresh token (%s) is 422 VALIDATION_FAILED, naming the field', async (_label, body) => {
      const res = await t.http.post('/api/v1/auth/refresh').send(body === 'ACCESS' ? { refreshToken: cd.accessToken } : body);
      // Well-formed JSON whose field breaks its rule: 422, the field named (400 is kept for unknown fields).
      const error = expectError(res, 422, 'VALIDATION_FAILED');
      expect(Object.keys(error.fieldErrors ?? {})).toEqual(['refreshToken']);
    });

    it('refuses unknown fields next to the token', async () => {
      const pair = expectStatus(await loginAs(cd.email, cd.password), 200);
      const error = expectError(await t.http.post('/api/v1/auth/refresh').send({ refreshToken: pair.refreshToken, userId: 'x' }), 400, 'UNKNOWN_FIELD');
      expect(error.message).toContain('userId');
    });
  });

  describe('POST /auth/logout', () => {
    it('revokes the session: its refresh token no longer works', async () => {
      const pair = expectStatus(await loginAs(cd.email, cd.password), 200);
      expectStatus(await t.http.post('/api/v1/auth/logout').send({ refreshToken: pair.refreshToken }), 204);
      expect((await refresh(pair.refreshToken)).status).toBe(401);
    });
  });

  describe('GET /auth/me', () => {
    it('without a token is 401 NOT_AUTHENTICATED', async () => {
      const error = expectError(await t.http.get('/api/v1/auth/me'), 401, 'NOT_AUTHENTICATED');
      expect(error.message).toMatch(/Bearer/);
    });

    it.each([
      ['garbage', 'Bearer not.a.jwt'],
      ['not bearer', 'Basic dXNlcjpwYXNz'],
    ])('with a bad Authorization header (%s) is 401 NOT_AUTHENTICATED', async (_label, header) => {
      expectError(await t.http.get('/api/v1/auth/me').set('Authorization', header), 401, 'NOT_AUTHENTICATED');
    });

    it('with a token signed by another secret is 401 NOT_AUTHENTICATED', async () => {
      const [header, payload] = cd.accessToken.split('.');
      const forged = `${header}.${payload}.${Buffer.from('forged-signature-forged-signature').toString('base64url')}`;
      expectError(await me(forged), 401, 'NOT_AUTHENTICATED');
    });

    it('with a token returns the principal: who, and the grants the token carries', async () => {
      const principal = expectStatus(await me(cd.accessToken), 200);
      expect(principal).toEqual({
        id: cd.id,
        email: 'clinical.director@test.nhs.uk',
        displayName: 'Dr Clinical Director',
        personId: null,
        grants: [{ role: UserRole.ClinicalDirector, organisationId: pcnId, icbCode: null }],
        authMethod: 'password',
      });
      expect(principal.passwordHash).toBeUndefined();
    });
  });
});
