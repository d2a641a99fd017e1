import { ContractType, DsptStatus, LegalForm, OrganisationKind, PersonRoleType } from '@pcn/directory';

/**
 * Demo organisations. PCN and practice names come from the customer's background pages
 * (shared/seeds); every code, list size, person and partner organisation is made up.
 */
export const DGS_PCNS = [
  { name: 'Dartford Central PCN', code: 'U60101', area: 'Central Dartford, Kent' },
  { name: 'Dartford Model PCN', code: 'U60102', area: 'Dartford town and Temple Hill, Kent' },
  { name: 'Garden City PCN', code: 'U60103', area: 'Ebbsfleet Garden City and Swanscombe, Kent' },
  { name: 'Gravesend Alliance PCN', code: 'U60104', area: 'Gravesend and Northfleet, Kent' },
  { name: 'Gravesend Central PCN', code: 'U60105', area: 'Central Gravesend, Kent' },
  { name: 'LMN Care PCN', code: 'U60106', area: 'Longfield, Meopham and New Ash Green, Kent' },
  { name: 'Swanley PCN', code: 'U60107', area: 'Swanley and surrounding villages, Kent' },
];
export const DGS_ICB = 'QKS';

export const BYTES = { name: 'BYTES PCN', code: 'U70101', icbCode: 'QHM', subIcbCode: '16W', area: 'Yarm, Eaglescliffe, Thornaby and Barwick, Stockton-on-Tees' };

/** The ICBs of the demo PCNs (BYTES in North East and North Cumbria, Dartford in Kent and Medway). */
export const DEMO_ICBS = [
  { name: 'NHS North East and North Cumbria Integrated Care Board', code: BYTES.icbCode },
  { name: 'NHS Kent and Medway Integrated Care Board', code: DGS_ICB },
];

export interface DemoPractice {
  key: string;
  name: string;
  odsCode: string;
  legalForm: LegalForm;
  contractType: ContractType;
  listSize: number;
  people: { fullName: string; email: string; roles: PersonRoleType[]; signsForOrganisation?: boolean }[];
}

export const BYTES_PRACTICES: DemoPractice[] = [
  {
    key: 'yarm', name: 'Yarm Medical Practice', odsCode: 'A87001', legalForm: LegalForm.Partnership, contractType: ContractType.Gms, listSize: 14250,
    people: [
      { fullName: 'Dr Amira Okafor', email: 'amira.okafor@yarm.demo.nhs.uk', roles: [PersonRoleType.Partner, PersonRoleType.ClinicalDirector] },
      { fullName: 'Dr Thomas Whitfield', email: 'thomas.whitfield@yarm.demo.nhs.uk', roles: [PersonRoleType.Partner, PersonRoleType.CaldicottGuardian] },
      { fullName: 'Helen Marsh', email: 'helen.marsh@yarm.demo.nhs.uk', roles: [PersonRoleType.PracticeManager, PersonRoleType.IgLead] },
    ],
  },
  {
    key: 'eaglescliffe', name: 'Eaglescliffe Medical Practice', odsCode: 'A87002', legalForm: LegalForm.Partnership, contractType: ContractType.Gms, listSize: 11800,
    people: [
      { fullName: 'Dr Priya Raman', email: 'priya.raman@eaglescliffe.demo.nhs.uk', roles: [PersonRoleType.Partner, PersonRoleType.CaldicottGuardian], signsForOrganisation: true },
      { fullName: 'Dr Owen Pritchard', email: 'owen.pritchard@eaglescliffe.demo.nhs.uk', roles: [PersonRoleType.Partner] },
    ],
  },
  {
    key: 'tbmg', name: 'Thornaby and Barwick Medical Group', odsCode: 'A87003', legalForm: LegalForm.Company, contractType: ContractType.Apms, listSize: 12600,
    people: [
      { fullName: 'Dr Samuel Adeyemi', email: 'samuel.adeyemi@tbmg.demo.nhs.uk', roles: [PersonRoleType.Director, PersonRoleType.CaldicottGuardian] },
    ],
  },
  {
    key: 'parklane', name: 'Park Lane Surgery', odsCode: 'A87004', legalForm: LegalForm.SoleTrader, contractType: ContractType.Pms, listSize: 6900,
    people: [
      { fullName: 'Dr Margaret Lindqvist', email: 'margaret.lindqvist@parklane.demo.nhs.uk', roles: [PersonRoleType.SolePractitioner, PersonRoleType.CaldicottGuardian] },
    ],
  },
];

export const PARTNER_ORGANISATIONS = [
  {
    key: 'trust', kind: OrganisationKind.NhsTrust, name: 'Tees Valley Community Health NHS Trust', odsCode: 'RX9', icoRegistrationNumber: 'Z9123456',
    dsptStatus: DsptStatus.Exceeded, dsptYear: '2025-26',
    people: [
      { fullName: 'Grace Holloway', email: 'grace.holloway@tvch.demo.nhs.uk', roles: [PersonRoleType.AuthorisedSignatory] },
      { fullName: 'Daniel Osei', email: 'daniel.osei@tvch.demo.nhs.uk', roles: [PersonRoleType.Dpo] },
      { fullName: 'Dr Ruth Castellano', email: 'ruth.castellano@tvch.demo.nhs.uk', roles: [PersonRoleType.CaldicottGuardian] },
    ],
  },
  {
    key: 'vcse', kind: OrganisationKind.Vcse, name: 'Stockton Wellbeing Partnership CIC', odsCode: 'NVC01', icoRegistrationNumber: 'ZB765432',
    dsptStatus: DsptStatus.Met, dsptYear: '2025-26',
    people: [{ fullName: 'Imran Siddiqui', email: 'imran.siddiqui@swp.demo.org.uk', roles: [PersonRoleType.AuthorisedSignatory, PersonRoleType.Dpo] }],
  },
];

/** One DPO serves every BYTES practice, as shared DPO services commonly do. */
export const SHARED_DPO = { fullName: 'Fiona Gallagher', email: 'fiona.gallagher@dpo.demo.nhs.uk' };
