import { DomainException, FieldMessages } from '@pcn/common';

export enum PeopleErrorCode {
  NotAllowed = 'PEOPLE_CHANGE_NOT_ALLOWED',
  Invalid = 'PEOPLE_CHANGE_INVALID',
}

export class PeopleException extends DomainException {
  constructor(code: PeopleErrorCode, message: string, fieldErrors?: FieldMessages) {
    super(code, code === PeopleErrorCode.NotAllowed ? 403 : 422, message, fieldErrors);
  }
}
