import { ValidationError } from 'class-validator';
import { CommonErrorCode, CommonException, FieldMessages } from './domain.exception';

function childPath(parent: string, property: string): string {
  if (/^\d+$/.test(property)) return `${parent}[${property}]`;
  return parent ? `${parent}.${property}` : property;
}

/** Flattens class-validator's tree into `path → messages`, and tells whether any field was unknown. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): { fields: FieldMessages; unknown: string[] } {
  const fields: FieldMessages = {};
  const unknown: string[] = [];
  const walk = (list: ValidationError[], prefix: string) => {
    for (const error of list) {
      const path = childPath(prefix, error.property);
      for (const [constraint, message] of Object.entries(error.constraints ?? {})) {
        if (constraint === 'whitelistValidation') {
          unknown.push(path);
          (fields[path] ??= []).push(`${path} is not a field this endpoint accepts.`);
        } else {
          (fields[path] ??= []).push(message);
        }
      }
      if (error.children?.length) walk(error.children, path);
    }
  };
  walk(errors, parent);
  return { fields, unknown };
}

/** Unknown fields are a malformed request (400); everything else is a field-level rule (422). */
export function validationException(errors: ValidationError[]): CommonException {
  const { fields, unknown } = flattenValidationErrors(errors);
  if (unknown.length > 0) {
    return new CommonException(
      CommonErrorCode.UnknownField,
      400,
      `The request has ${unknown.length === 1 ? 'a field' : 'fields'} this endpoint does not accept: ${unknown.join(', ')}.`,
      fields,
    );
  }
  const count = Object.keys(fields).length;
  return CommonException.validation(`${count} field${count === 1 ? ' is' : 's are'} not valid. See fieldErrors.`, fields);
}
