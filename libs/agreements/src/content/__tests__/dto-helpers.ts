import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validate, ValidationError } from 'class-validator';
import { AgreementContentDto } from '../agreement-content.dto';

/** Validates the way the API's global ValidationPipe does. */
export async function validateBody(body: unknown): Promise<string[]> {
  const dto = plainToInstance(AgreementContentDto, body);
  const errors = await validate(dto as object, { whitelist: true, forbidNonWhitelisted: true });
  return flatten(errors);
}

/** `path:constraint` strings, e.g. `annexes.0.kind:isEnum`. */
function flatten(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.keys(error.constraints ?? {}).map((constraint) => `${path}:${constraint}`);
    return [...own, ...flatten(error.children ?? [], path)];
  });
}
