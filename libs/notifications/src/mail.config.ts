import { Transform } from 'class-transformer';
import { IsBoolean, IsEmail, IsNotEmpty, IsString, ValidateBy, ValidateIf, ValidationOptions } from 'class-validator';
import { ConfigType } from '@nestjs/config';
import { defineConfig } from '@pcn/common';

/**
 * Environment strings are always truthy, so `'false'` must be read, not cast. Anything other
 * than true/false/1/0/yes/no is left as a string for @IsBoolean to refuse by name.
 */
function parseBoolean({ obj, key }: { obj: Record<string, unknown>; key: string }): unknown {
  const raw = obj[key];
  if (typeof raw === 'boolean') return raw;
  const text = String(raw).trim().toLowerCase();
  if (['true', '1', 'yes'].includes(text)) return true;
  if (['false', '0', 'no'].includes(text)) return false;
  return raw;
}

/** One rule, one message: a non-number would otherwise be reported three times. */
function IsWholeNumber(min: number, max: number, options: ValidationOptions): PropertyDecorator {
  return ValidateBy({ name: 'isWholeNumber', validator: { validate: (v: unknown) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max } }, options);
}

export class MailEnv {
  @IsString()
  @IsNotEmpty({ message: 'SMTP_HOST must be a host name or IP address' })
  SMTP_HOST: string = '127.0.0.1';

  @IsWholeNumber(1, 65535, { message: 'SMTP_PORT must be a whole number from 1 to 65535' })
  SMTP_PORT: number = 1025;

  /** Implicit TLS from the first byte (usually port 465). */
  @Transform(parseBoolean)
  @IsBoolean({ message: 'SMTP_SECURE must be true or false' })
  SMTP_SECURE: boolean = false;

  /** Refuse to send unless the server upgrades with STARTTLS (usually port 587). */
  @Transform(parseBoolean)
  @IsBoolean({ message: 'SMTP_REQUIRE_TLS must be true or false' })
  SMTP_REQUIRE_TLS: boolean = false;

  /** Leave SMTP_USER empty for a relay that needs no login. */
  @IsString()
  SMTP_USER: string = '';

  @ValidateIf((env: MailEnv) => env.SMTP_USER !== '')
  @IsString()
  @IsNotEmpty({ message: 'SMTP_PASS must be set when SMTP_USER is set' })
  SMTP_PASS: string = '';

  @IsEmail({ allow_display_name: true, require_tld: false }, { message: 'MAIL_FROM must be a mailbox, e.g. "PCN Agreements" <no-reply@example.org>' })
  MAIL_FROM: string = '"PCN Agreements" <no-reply@pcn-agreements.localhost>';

  /** Connection, greeting and per-reply timeout; a whole send gives up after three times this. */
  @IsWholeNumber(1000, 120000, { message: 'SMTP_TIMEOUT_MS must be a whole number of milliseconds from 1000 to 120000' })
  SMTP_TIMEOUT_MS: number = 10000;
}

export const mailConfig = defineConfig('mail', MailEnv);
export type MailConfig = ConfigType<typeof mailConfig>;
