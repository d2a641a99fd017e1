import { loadTypedConfig } from '@pcn/common';
import { PasswordHasher, PasswordHashingEnv } from '../password-hasher';

/** The argon2id parameters a hash records: `$argon2id$v=19$m=65536,p=4,t=3$…`. */
const costOf = (hash: string) => /^\$argon2id\$v=19\$([a-z=0-9,]+)\$/.exec(hash)?.[1];

describe('PasswordHasher', () => {
  it('hashes at argon2 defaults unless configured (64 MiB, 3 passes)', () => {
    const config = loadTypedConfig(PasswordHashingEnv, { NODE_ENV: 'production' });
    expect([config.PASSWORD_HASH_MEMORY_KIB, config.PASSWORD_HASH_PASSES]).toEqual([65_536, 3]);
  });

  it('refuses a cost below OWASP’s lowest outside tests, and says which variable', () => {
    expect(() => loadTypedConfig(PasswordHashingEnv, { NODE_ENV: 'production', PASSWORD_HASH_MEMORY_KIB: '1024' })).toThrow(
      'Invalid configuration: PASSWORD_HASH_MEMORY_KIB: PASSWORD_HASH_MEMORY_KIB must be at least 19456 outside tests',
    );
    expect(() => loadTypedConfig(PasswordHashingEnv, { NODE_ENV: 'development', PASSWORD_HASH_PASSES: '1' })).toThrow(/PASSWORD_HASH_PASSES must be at least 2 outside tests/);
    expect(() => loadTypedConfig(PasswordHashingEnv, { NODE_ENV: 'production', PASSWORD_HASH_MEMORY_KIB: '19456', PASSWORD_HASH_PASSES: '2' })).not.toThrow();
    expect(() => loadTypedConfig(PasswordHashingEnv, { NODE_ENV: 'test', PASSWORD_HASH_MEMORY_KIB: '1024', PASSWORD_HASH_PASSES: '1' })).not.toThrow();
    expect(() => loadTypedConfig(PasswordHashingEnv, { NODE_ENV: 'test', PASSWORD_HASH_MEMORY_KIB: '512' })).toThrow(/PASSWORD_HASH_MEMORY_KIB must not be less than 1024/);
  });

  const cheap = new PasswordHasher(loadTypedConfig(PasswordHashingEnv, { NODE_ENV: 'test', PASSWORD_HASH_MEMORY_KIB: '1024', PASSWORD_HASH_PASSES: '1' }));

  it('makes argon2id hashes at the configured cost that verify only the right password', async () => {
    const hash = await cheap.hash('correct horse battery staple');
    expect(costOf(hash)).toBe('m=1024,p=4,t=1');
    await expect(cheap.verify(hash, 'correct horse battery staple')).resolves.toBe(true);
    await expect(cheap.verify(hash, 'Correct horse battery staple')).resolves.toBe(false);
  });

  it('still verifies hashes made at another cost (accounts made before the cost changed)', async () => {
    const strong = new PasswordHasher(loadTypedConfig(PasswordHashingEnv, { NODE_ENV: 'production', PASSWORD_HASH_MEMORY_KIB: '19456', PASSWORD_HASH_PASSES: '2' }));
    const hash = await strong.hash('older password');
    expect(costOf(hash)).toBe('m=19456,p=4,t=2');
    await expect(cheap.verify(hash, 'older password')).resolves.toBe(true);
  });

  it('never matches an account without a password (CIS2 only), nor a decoy', async () => {
    await expect(cheap.verify('!no-password:4b1c', '!no-password:4b1c')).resolves.toBe(false);
    await expect(cheap.verifyDecoy('anything')).resolves.toBe(false);
  });
});
