import { ValidationOptions, ValidateBy } from 'class-validator';

/** True for a finite number with at most `places` decimal places. Never throws (1e-7, 5e+300, NaN, strings all answer). */
export function hasAtMostDecimalPlaces(value: unknown, places: number): boolean {
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) >= 1e15) return false;
  return Number(value.toFixed(places)) === value;
}

/**
 * A number with at most `places` decimal places. Replaces class-validator's
 * `@IsNumber({ maxDecimalPlaces })`, which throws a TypeError (a 500) on numbers whose text
 * form uses an exponent, such as 1e-7.
 */
export function IsDecimalNumber(places: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDecimalNumber',
      constraints: [places],
      validator: {
        validate: (value: unknown) => hasAtMostDecimalPlaces(value, places),
        defaultMessage: (args) => `${args?.property ?? 'value'} must be a number with at most ${places} decimal place${places === 1 ? '' : 's'}`,
      },
    },
    options,
  );
}
