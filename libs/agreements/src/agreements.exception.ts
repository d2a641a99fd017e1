import { DomainException, FieldMessages } from '@pcn/common';

export enum AgreementsErrorCode {
  AgreementNotFound = 'AGREEMENT_NOT_FOUND',
  RevisionNotFound = 'REVISION_NOT_FOUND',
  TemplateNotFound = 'TEMPLATE_NOT_FOUND',
  StaleRevision = 'STALE_REVISION',
  NotADraft = 'NOT_A_DRAFT',
  ContentInvalid = 'CONTENT_INVALID',
  AnnexNotFound = 'ANNEX_NOT_FOUND',
  NotExecuted = 'NOT_EXECUTED',
  VariationInProgress = 'VARIATION_IN_PROGRESS',
  SectionNotFound = 'SECTION_NOT_FOUND',
  /** The agreement's lifecycle table refuses this event in its current status. */
  InvalidTransition = 'INVALID_TRANSITION',
}

const STATUS: Record<AgreementsErrorCode, number> = {
  [AgreementsErrorCode.AgreementNotFound]: 404,
  [AgreementsErrorCode.RevisionNotFound]: 404,
  [AgreementsErrorCode.TemplateNotFound]: 422,
  [AgreementsErrorCode.StaleRevision]: 409,
  [AgreementsErrorCode.NotADraft]: 409,
  [AgreementsErrorCode.ContentInvalid]: 422,
  [AgreementsErrorCode.AnnexNotFound]: 404,
  [AgreementsErrorCode.NotExecuted]: 409,
  [AgreementsErrorCode.VariationInProgress]: 409,
  [AgreementsErrorCode.SectionNotFound]: 404,
  [AgreementsErrorCode.InvalidTransition]: 409,
};

export class AgreementsException extends DomainException {
  constructor(code: AgreementsErrorCode, message: string, fieldErrors?: FieldMessages, warnings?: FieldMessages) {
    super(code, STATUS[code], message, fieldErrors, warnings);
  }
}
