import { Inject, Injectable, Module } from '@nestjs/common';
import { ConfigModule, ConfigType } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import * as argon2 from 'argon2';
import { registerDecorator, IsIn, IsInt, Max, Min, ValidationArguments } from 'class-validator';
import { defineConfig } from '@pcn/common';

/**
 * OWASP's lowest recommended argon2id cost (19 MiB, 2 passes). Below it is allowed only
 * when NODE_ENV is test, where thousands of throwaway accounts are made and signed in.
 */
export const PASSWORD_HASH_FLOOR = { memoryKib: 19_456, passes: 2 } as const;

function AtLeastOutsideTests(floor: number) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'atLeastOutsideTests',
      target: object.constructor,
      propertyName,
      validator: {
        validate: (value: unknown, args: ValidationArguments) => (args.object as { NODE_ENV?: string }).NODE_ENV === 'test' || (typeof value === 'number' && value >= floor),
        defaultMessage: (args: ValidationArguments) => `${args.property} must be at least ${floor} outside tests (OWASP's lowest argon2id cost; NODE_ENV is ${(args.object as { NODE_ENV?: string }).NODE_ENV})`,
      },
    });
}

/** The cost of each new password hash (argon2id). Existing hashes carry their own cost and keep verifying. */
export class PasswordHashingEnv {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: string = 'development';

  /** Memory per hash in KiB (argon2's default: 64 MiB, about a second of CPU on a busy 2-core machine). */
  @IsInt({ message: 'PASSWORD_HASH_MEMORY_KIB must be a whole number of KiB' })
  @Min(1024)
  @Max(4 * 1024 * 1024)
  @AtLeastOutsideTests(PASSWORD_HASH_FLOOR.memoryKib)
  PASSWORD_HASH_MEMORY_KIB: number = 65_536;

  @IsInt({ message: 'PASSWORD_HASH_PASSES must be a whole number' })
  @Min(1)
  @Max(20)
  @AtLeastOutsideTests(PASSWORD_HASH_FLOOR.passes)
  PASSWORD_HASH_PASSES: number = 3;

  /**
   * Re-hash a password at sign-in when its stored hash is weaker than the configured cost (made
   * before the cost rose, or not argon2id), so raising the cost reaches every active account. Off
   * only where accounts are made cheap on purpose and signed in by the thousand (the drill).
   */
  @IsIn(['true', 'false'], { message: 'PASSWORD_REHASH_ON_SIGN_IN must be true or false' })
  PASSWORD_REHASH_ON_SIGN_IN: 'true' | 'false' = 'true';
}

export const passwordHashingConfig = defineConfig('passwordHashing', PasswordHashingEnv);
export type PasswordHashingConfig = ConfigType<typeof passwordHashingConfig>;

/** The one place passwords are hashed and checked. */
@Injectable()
export class PasswordHasher {
  private readonly options: argon2.HashOptions & { memoryCost: number; timeCost: number };
  private readonly rehashOnSignIn: boolean;
  /**
   * Checked against when an account is unknown or disabled, so that path costs one verify too.
   * Made on first use, so processes that never check a password (the worker) never pay for it.
   */
  private decoy?: Promise<string>;

  constructor(@Inject(passwordHashingConfig.KEY) config: PasswordHashingConfig) {
    this.options = { type: argon2.argon2id, memoryCost: config.PASSWORD_HASH_MEMORY_KIB, timeCost: config.PASSWORD_HASH_PASSES, parallelism: 4 };
    this.rehashOnSignIn = config.PASSWORD_REHASH_ON_SIGN_IN === 'true';
  }

  /**
   * Whether a hash that just verified should be replaced by one at the configured cost: it is
   * not argon2id, or uses less memory or fewer passes. A hash stronger than the configuration is
   * kept, so lowering the cost never weakens stored hashes. Never for an account with no password.
   */
  shouldRehash(hash: string): boolean {
    if (!this.rehashOnSignIn || !hash.startsWith('$argon2')) return false;
    // PHC form: $argon2id$v=19$m=65536,p=4,t=3$salt$hash (parameters in any order).
    const [, type, version, params = ''] = hash.split('$');
    if (type !== 'argon2id' || version !== 'v=19') return true;
    const cost = Object.fromEntries(params.split(',').map((kv) => kv.split('=')));
    // A missing or unreadable number compares false, so it is re-hashed too.
    return !(Number(cost.m) >= this.options.memoryCost && Number(cost.t) >= this.options.timeCost);
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, this.options);
  }

  /**
   * Whether `password` matches `hash`, at the cost stored in the hash. An account with no
   * password (`!no-password:…`, CIS2 only) never matches, after the same work as a real check.
   */
  async verify(hash: string, password: string): Promise<boolean> {
    if (!hash.startsWith('$argon2')) return this.verifyDecoy(password);
    return argon2.verify(hash, password);
  }

  /** Spends what a real check would, for a sign-in with no account to check against; always false. */
  async verifyDecoy(password: string): Promise<false> {
    this.decoy ??= this.hash(randomUUID());
    await argon2.verify(await this.decoy, password);
    return false;
  }
}

@Module({
  imports: [ConfigModule.forFeature(passwordHashingConfig)],
  providers: [PasswordHasher],
  exports: [PasswordHasher],
})
export class PasswordHashingModule {}
