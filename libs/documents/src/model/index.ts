export {
  buildAgreementDocumentModel,
  annexSectionId,
  AgreementDocumentInputError,
  SCHEDULE_SECTION_IDS,
} from './agreement-document.adapter';
export type { AgreementDocumentInput, OrganisationDisplay } from './agreement-document.adapter';
export { AgreementDocumentSource } from './agreement-document.source';
export type { AgreementDocumentBase } from './agreement-document.source';
