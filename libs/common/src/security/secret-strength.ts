import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';

/** Values published in .env.example or the docs: never acceptable outside development. */
export const EXAMPLE_SECRETS = new Set([
  'change-me-to-32-or-more-random-characters',
  'change-me-to-another-32-or-more-random-characters',
  'dev-seal-passphrase',
]);

/** Shannon entropy of the string's characters, in bits for the whole string. */
export function shannonBits(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  const n = [...value].length;
  let perChar = 0;
  for (const c of counts.values()) perChar -= (c / n) * Math.log2(c / n);
  return perChar * n;
}

/**
 * Why `value` is not fit to be a production secret, or null when it is: at least 32 bytes,
 * not an example value, and not low-entropy (at least 10 distinct characters and 128 bits
 * of character entropy — 64 hex or 43 base64url random characters have 256).
 */
export function secretWeakness(value: string): string | null {
  if (Buffer.byteLength(value, 'utf8') < 32) return 'is shorter than 32 bytes';
  if (EXAMPLE_SECRETS.has(value) || /change-?me/i.test(value)) return 'is the example value from .env.example';
  if (new Set(value).size < 10 || shannonBits(value) < 128) return 'is too predictable (low entropy); generate one with `openssl rand -base64 32`';
  return null;
}

/**
 * Class-validator rule for secrets in a config class that also declares NODE_ENV: outside
 * the environments listed in `exemptIn` the value must pass `secretWeakness`.
 */
export function StrongSecret(exemptIn: string[], options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'strongSecret',
      target: object.constructor,
      propertyName,
      options,
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          const env = (args.object as { NODE_ENV?: string }).NODE_ENV ?? 'development';
          if (exemptIn.includes(env)) return true;
          return typeof value === 'string' && secretWeakness(value) === null;
        },
        defaultMessage(args: ValidationArguments) {
          const reason = typeof args.value === 'string' ? secretWeakness(args.value) : 'is not set';
          return `${args.property} ${reason ?? 'is not acceptable'} (checked because NODE_ENV is ${(args.object as { NODE_ENV?: string }).NODE_ENV})`;
        },
      },
    });
}
