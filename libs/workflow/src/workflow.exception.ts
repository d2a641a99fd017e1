import { DomainException, FieldMessages } from '@pcn/common';

export enum WorkflowErrorCode {
  InvalidTransition = 'INVALID_TRANSITION',
  RoundNotFound = 'ROUND_NOT_FOUND',
  RequestNotFound = 'REQUEST_NOT_FOUND',
  NotYourRequest = 'NOT_YOUR_REQUEST',
  NotCurrentStep = 'NOT_CURRENT_STEP',
  AlreadyActedOn = 'ALREADY_ACTED_ON',
  HashMismatch = 'HASH_MISMATCH',
  StaleRevision = 'STALE_REVISION',
  SignerDetailsInvalid = 'SIGNER_DETAILS_INVALID',
  NoEligibleSigner = 'NO_ELIGIBLE_SIGNER',
  DelegateNotEligible = 'DELEGATE_NOT_ELIGIBLE',
  RoundNotOpen = 'ROUND_NOT_OPEN',
  InvalidDueDate = 'INVALID_DUE_DATE',
  /** A batch approval that is empty, repeats a request or spans rounds. */
  InvalidBatch = 'INVALID_BATCH',
  /** Approving from a page before the document was opened. */
  NotViewed = 'NOT_VIEWED',
  /** Only the PCN's clinical director may do this (terminating an executed agreement). */
  NotClinicalDirector = 'NOT_CLINICAL_DIRECTOR',
}

const STATUS: Record<WorkflowErrorCode, number> = {
  [WorkflowErrorCode.InvalidTransition]: 409,
  [WorkflowErrorCode.RoundNotFound]: 404,
  [WorkflowErrorCode.RequestNotFound]: 404,
  [WorkflowErrorCode.NotYourRequest]: 404,
  [WorkflowErrorCode.NotCurrentStep]: 409,
  [WorkflowErrorCode.AlreadyActedOn]: 409,
  [WorkflowErrorCode.HashMismatch]: 409,
  [WorkflowErrorCode.StaleRevision]: 409,
  [WorkflowErrorCode.SignerDetailsInvalid]: 422,
  [WorkflowErrorCode.NoEligibleSigner]: 422,
  [WorkflowErrorCode.DelegateNotEligible]: 422,
  [WorkflowErrorCode.RoundNotOpen]: 409,
  [WorkflowErrorCode.InvalidDueDate]: 422,
  [WorkflowErrorCode.InvalidBatch]: 422,
  [WorkflowErrorCode.NotViewed]: 409,
  [WorkflowErrorCode.NotClinicalDirector]: 403,
};

export class WorkflowException extends DomainException {
  constructor(code: WorkflowErrorCode, message: string, fieldErrors?: FieldMessages) {
    super(code, STATUS[code], message, fieldErrors);
  }
}
