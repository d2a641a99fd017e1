import { ValidationPipe } from '@nestjs/common';
import { validationException } from '../errors/validation-errors';

/** Strict by default: unknown fields are refused (400), broken fields listed one by one (422). */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: validationException,
  });
}
