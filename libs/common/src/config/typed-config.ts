import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { registerAs } from '@nestjs/config';

/**
 * Thrown at start-up when the environment is missing or malformed. The message is
 * one line naming the variable, so an operator can fix it without reading a stack.
 */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

function describe(error: ValidationError): string {
  const reasons = Object.values(error.constraints ?? {}).join('; ');
  const shown = error.value === undefined || error.value === '' ? 'it is not set' : 'check its value';
  return `${error.property}: ${reasons} (${shown})`;
}

/**
 * Validates `env` against a class whose property names are the environment variable
 * names, applying the class's defaults. Each lib declares its own variables this way.
 */
export function loadTypedConfig<T extends object>(cls: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  const defaults = new cls() as Record<string, unknown>;
  const source: Record<string, unknown> = {};
  for (const key of Object.keys(defaults)) {
    const value = env[key];
    source[key] = value === undefined || value === '' ? defaults[key] : value;
  }
  const instance = plainToInstance(cls, source, { enableImplicitConversion: true });
  const errors = validateSync(instance as object, { whitelist: true });
  if (errors.length > 0) {
    throw new ConfigurationError(`Invalid configuration: ${describe(errors[0])}`);
  }
  return Object.freeze(instance);
}

/** A namespaced, validated config factory for `ConfigModule.forRoot({ load: [...] })`. */
export function defineConfig<T extends object>(namespace: string, cls: new () => T) {
  return registerAs(namespace, () => loadTypedConfig(cls));
}
