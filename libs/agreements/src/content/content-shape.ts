import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { validationException, type CommonException } from '@pcn/common';
import { AgreementContentDto } from './agreement-content.dto';

/**
 * Checks content against the DTOs (types, enums, formats, caps, unknown fields) with the
 * same options as the global validation pipe, but keyed by the path inside the content
 * (`schedules.finances.shares[0].percentage`), the same form the business rules use.
 * Returns the exception to throw (400 UNKNOWN_FIELD or 422 VALIDATION_FAILED), or undefined.
 */
export function contentShapeException(content: unknown): CommonException | undefined {
  const errors = validateSync(plainToInstance(AgreementContentDto, content ?? {}) as object, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
  });
  return errors.length > 0 ? validationException(errors) : undefined;
}
