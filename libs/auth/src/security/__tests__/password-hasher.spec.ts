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

  describe('shouldRehash (at sign-in, once the password is known to be right)', () => {
    const at = (memoryKib: string, passes: string, rehash = 'true') =>
      new PasswordHasher(loadTypedConfig(PasswordHashingEnv, { NODE_ENV: 'production', PASSWORD_HASH_MEMORY_KIB: memoryKib, PASSWORD_HASH_PASSES: passes, PASSWORD_REHASH_ON_SIGN_IN: rehash }));
    const hashes = {
      floor: '$argon2id$v=19$m=19456,p=4,t=2$c2FsdHNhbHRzYWx0$aGFzaA',
      lessMemory: '$argon2id$v=19$m=19456,p=4,t=3$c2FsdHNhbHRzYWx0$aGFzaA',
      fewerPasses: '$argon2id$v=19$m=65536,p=4,t=2$c2FsdHNhbHRzYWx0$aGFzaA',
      configured: '$argon2id$v=19$m=65536,p=4,t=3$c2FsdHNhbHRzYWx0$aGFzaA',
      stronger: '$argon2id$v=19$m=131072,p=1,t=4$c2FsdHNhbHRzYWx0$aGFzaA',
      argon2i: '$argon2i$v=19$m=65536,p=4,t=3$c2FsdHNhbHRzYWx0$aGFzaA',
      oldVersion: '$argon2id$v=16$m=65536,p=4,t=3$c2FsdHNhbHRzYWx0$aGFzaA',
    };

    it('is true for a hash with less memory, fewer passes, another argon2 type or an older version', () => {
      const hasher = at('65536', '3');
      expect([hashes.floor, hashes.lessMemory, hashes.fewerPasses, hashes.argon2i, hashes.oldVersion].map((h) => hasher.shouldRehash(h))).toEqual([true, true, true, true, true]);
    });

    it('is false at the configured cost or above it, so lowering the cost never weakens a stored hash', () => {
      expect(at('65536', '3').shouldRehash(hashes.configured)).toBe(false);
      expect(at('65536', '3').shouldRehash(hashes.stronger)).toBe(false);
      expect(at('19456', '2').shouldRehash(hashes.configured)).toBe(false);
    });

    it('is false for an account with no password, and whenever PASSWORD_REHASH_ON_SIGN_IN is false', () => {
      expect(at('65536', '3').shouldRehash('!no-password:4b1c')).toBe(false);
      expect(at('65536', '3', 'false').shouldRehash(hashes.floor)).toBe(false);
    });

    it('refuses anything but true or false for PASSWORD_REHASH_ON_SIGN_IN', () => {
      expect(() => at('65536', '3', 'yes')).toThrow(/PASSWORD_REHASH_ON_SIGN_IN must be true or false/);
    });
  });
});
