export {
  buildAgreementDocumentModel,
  annexSectionId,
  AgreementDocumentInputError,
  SCHEDULE_SECTION_IDS,
} from './agreement-document.adapter';
export type { AgreementDocumentInput, OrganisationDisplay } from './agreement-document.adapter';
