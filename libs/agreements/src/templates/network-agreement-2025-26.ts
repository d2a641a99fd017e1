import {
  ClinicalDirectorAppointmentMethod,
  DistributionBasis,
  MeetingFrequency,
  PayeeArrangement,
  VotingRule,
} from '../content/agreement-content.enums';
import type { DisputeClauseOverrides, Finances, Governance, InsuranceTerms, Schedules } from '../content/agreement-content.types';
import { contentHash } from '../content/canonical-json';

/**
 * Mandatory national terms for the 2025/26 Network Agreement, in our own plain
 * "we/our" wording and following the national structure (domain.md §1). This is
 * not the NHS England text. Only the two dispute-resolution clauses marked
 * `editable` may be changed locally, through `disputeClauseOverrides`; every
 * other clause is fixed for this version, so its hash goes into each agreement
 * as `mandatoryTermsHash`.
 */

export type EditableClauseKey = 'dispute-meeting' | 'dispute-lmc';

export interface TemplateClause {
  number: string;
  heading: string;
  text: string;
  editable?: EditableClauseKey;
}

export interface NetworkAgreementTemplate {
  version: string;
  title: string;
  clauses: readonly TemplateClause[];
}

const clauses: TemplateClause[] = [
  // 1. Principles and general obligations
  {
    number: '1.1',
    heading: 'Who we are',
    text: 'We are the core network practices named in Schedule 1. Together we form a Primary Care Network. The network is a way for us to work together; it is not a company, partnership or other legal body in its own right.',
  },
  {
    number: '1.2',
    heading: 'Why we have this agreement',
    text: 'Each of us takes part in the Network Contract Directed Enhanced Service. This agreement records how we will work together to deliver it and how we will share the funding, staff, information and responsibilities that come with it.',
  },
  {
    number: '1.3',
    heading: 'How we work together',
    text: 'We will act in good faith, share information openly with one another, and take decisions with the interests of our patients and of the network as a whole in mind.',
  },
  {
    number: '1.4',
    heading: 'Our own contracts still apply',
    text: 'Each of us remains fully responsible for its own primary medical services contract. Nothing in this agreement transfers a practice’s contractual duties to another member.',
  },
  {
    number: '1.5',
    heading: 'How the schedules fit in',
    text: 'The schedules hold the local detail we agree between us. A schedule may add to these terms but may not contradict them. If the two conflict, these terms apply.',
  },
  {
    number: '1.6',
    heading: 'Not an NHS contract',
    text: 'We do not intend this agreement to be an NHS contract. It is a legally binding agreement between us.',
  },
  // 2. Patient involvement
  {
    number: '2.1',
    heading: 'Listening to patients',
    text: 'We will involve patients and the local community in how network services are planned and improved, for example through patient participation groups.',
  },
  {
    number: '2.2',
    heading: 'Telling patients about the network',
    text: 'We will tell our patients which practices and other organisations make up the network, and how network services may involve staff from other member practices.',
  },
  // 3. Financial arrangements
  {
    number: '3.1',
    heading: 'Receiving network funding',
    text: 'Network payments are received on our behalf by the payee named in Schedule 1, or into the network’s own bank account if Schedule 1 says so.',
  },
  {
    number: '3.2',
    heading: 'Passing funding on',
    text: 'The payee will pass funding to members in the amounts, on the basis and at the times set out in Schedule 4, and will keep clear records of what it receives and pays out.',
  },
  {
    number: '3.3',
    heading: 'Sharing gains and losses',
    text: 'We will share any surplus, shortfall or liability arising from network activity as set out in Schedule 4. Where Schedule 4 is silent, we will share it in proportion to our registered list sizes.',
  },
  // 4. Workforce
  {
    number: '4.1',
    heading: 'Shared staff',
    text: 'Schedule 5 records who employs each member of staff funded through the network, which practices they work in, and how their costs are recharged.',
  },
  {
    number: '4.2',
    heading: 'Duties as employers and hosts',
    text: 'An employing organisation keeps all of its legal duties as an employer. A host practice will give shared staff a safe place to work, supervision and access to the systems they need.',
  },
  // 5. Information sharing and confidentiality
  {
    number: '5.1',
    heading: 'Data sharing arrangements',
    text: 'Before we share personal data for network purposes we will have in place the data sharing and data processing arrangements set out in the data-sharing annexes, and we will follow them.',
  },
  {
    number: '5.2',
    heading: 'Following data protection law',
    text: 'Each of us will comply with data protection law and the common law duty of confidentiality, and will keep its Data Security and Protection Toolkit assessment up to date.',
  },
  {
    number: '5.3',
    heading: 'Keeping each other’s information confidential',
    text: 'We will keep confidential any business information another member shares with us for network purposes, unless the law requires us to disclose it or the member agrees.',
  },
  // 6. Conflicts of interest
  {
    number: '6.1',
    heading: 'Declaring interests',
    text: 'Each of us, and the clinical director, will declare any interest that conflicts, or could appear to conflict, with the interests of the network. We will keep a register of those declarations.',
  },
  {
    number: '6.2',
    heading: 'Managing conflicts',
    text: 'Anyone with a declared conflict will not take part in the decision it affects, unless the other members agree otherwise and record why.',
  },
  // 7. Meetings and governance
  {
    number: '7.1',
    heading: 'Network meetings',
    text: 'We will meet as often as Schedule 1 requires. Any member may ask for an extra meeting by giving the others reasonable written notice.',
  },
  {
    number: '7.2',
    heading: 'Making decisions',
    text: 'We will make decisions using the quorum and voting rules in Schedule 1, and we will keep written records of our decisions.',
  },
  {
    number: '7.3',
    heading: 'Our clinical director',
    text: 'We will appoint a clinical director in the way set out in Schedule 1. The clinical director is accountable to us and leads the network in delivering its obligations.',
  },
  // 8. Joining and leaving
  {
    number: '8.1',
    heading: 'New members',
    text: 'A practice may join the network if we agree under Schedule 1, or if the commissioner requires us to accept it. A new member joins by signing this agreement and the data-sharing annexes.',
  },
  {
    number: '8.2',
    heading: 'Leaving the network',
    text: 'A member may leave only at a time allowed by the Network Contract DES. A leaving member will cooperate in handing over staff, funding and data as the schedules require.',
  },
  {
    number: '8.3',
    heading: 'Telling the commissioner',
    text: 'We will tell the commissioner promptly about any change to our members, clinical director, payee or network area.',
  },
  // 9. Duration and variation
  {
    number: '9.1',
    heading: 'How long this agreement lasts',
    text: 'This agreement starts on the date in Schedule 1 and continues while we take part in the Network Contract DES.',
  },
  {
    number: '9.2',
    heading: 'Changing the schedules',
    text: 'We may change the schedules by a decision made under Schedule 1. A change takes effect once all members have signed the updated version.',
  },
  {
    number: '9.3',
    heading: 'National changes',
    text: 'These terms change only when a national variation is issued. When one is, we will adopt the new version within the time it allows.',
  },
  // 10. Termination
  {
    number: '10.1',
    heading: 'When this agreement ends',
    text: 'This agreement ends if the Network Contract DES ends, if the network stops being approved by the commissioner, or if we all agree to end it.',
  },
  {
    number: '10.2',
    heading: 'What happens at the end',
    text: 'When this agreement ends we will settle any money owed between us, deal with staff as Schedule 5 requires, and return or securely delete shared data as the data-sharing annexes require.',
  },
  // 11. Dispute resolution: the only clauses that may be changed locally.
  {
    number: '11.1',
    heading: 'Trying to resolve disputes ourselves',
    text: 'If a dispute arises between members about this agreement, any member may call a members’ meeting under Schedule 1 to try to resolve it. The meeting will take place within 20 working days of the request.',
    editable: 'dispute-meeting',
  },
  {
    number: '11.2',
    heading: 'Referral to the Local Medical Committee',
    text: 'If the members’ meeting does not resolve the dispute, any member involved may refer it to the Local Medical Committee, and we will take part in good faith in any process the committee offers.',
    editable: 'dispute-lmc',
  },
  {
    number: '11.3',
    heading: 'Other ways to resolve disputes',
    text: 'Mediation or arbitration applies only if a schedule provides for it. Nothing in this section stops a member going to court where that is needed.',
  },
  // 12. Events outside our control
  {
    number: '12.1',
    heading: 'Events outside our control',
    text: 'No member is in breach of this agreement because of a delay or failure caused by events it could not reasonably control, as long as it tells the others promptly and does what it reasonably can to limit the effect.',
  },
  {
    number: '12.2',
    heading: 'Long-running events',
    text: 'If such an event lasts more than three months, we will meet to agree whether and how to change our arrangements.',
  },
];

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

export const NETWORK_AGREEMENT_2025_26: NetworkAgreementTemplate = deepFreeze({
  version: '2025/26',
  title: 'PCN Network Agreement',
  clauses,
});

/** Hash of the fixed text, stored on each agreement so edits to the template are detectable. */
export const NETWORK_AGREEMENT_2025_26_HASH: string = contentHash(NETWORK_AGREEMENT_2025_26);

/** The clauses as they will be rendered and signed, with any local dispute wording applied. */
export function resolveClauses(template: NetworkAgreementTemplate, overrides?: DisputeClauseOverrides): TemplateClause[] {
  return template.clauses.map((clause) => {
    const replacement =
      clause.editable === 'dispute-meeting'
        ? overrides?.meetingClause
        : clause.editable === 'dispute-lmc'
          ? overrides?.lmcReferralClause
          : undefined;
    return replacement?.trim() ? { ...clause, text: replacement } : { ...clause };
  });
}

/**
 * The parts of a new agreement's schedules the template pre-fills. Organisation-specific
 * fields (core practices, clinical director, payee organisation, annexes) are left for the
 * service and the members.
 */
export interface TemplateDefaults {
  title: string;
  schedules: {
    keyDetails: {
      governance: Governance;
      clinicalDirector: { appointmentMethod: ClinicalDirectorAppointmentMethod; sessionsPerWeek: number };
      payee: { arrangement: PayeeArrangement };
    };
    additionalTerms: Schedules['additionalTerms'];
    activities: Schedules['activities'];
    finances: Pick<Finances, 'distributionBasis' | 'distributionTiming' | 'liabilitySharing' | 'bankingArrangements'>;
    workforce: Schedules['workforce'];
    insurance: InsuranceTerms;
    nonGpArrangements: Schedules['nonGpArrangements'];
  };
  annexes: [];
}

/** Fresh object each call, so callers may merge into it freely. */
export function templateDefaults(): TemplateDefaults {
  return {
    title: NETWORK_AGREEMENT_2025_26.title,
    schedules: {
      keyDetails: {
        governance: {
          meetingFrequency: MeetingFrequency.MONTHLY,
          quorum: {
            description: 'More than half of the core network practices, each represented by a partner or director.',
          },
          votingRule: VotingRule.SIMPLE_MAJORITY,
          decisionsRequiringUnanimity: [
            'Admitting a new core network practice',
            'Asking a member practice to leave the network',
            'Changing the nominated payee',
            'Changing how network funding is distributed',
            'Changing Schedule 1 decision-making rules',
          ],
        },
        clinicalDirector: { appointmentMethod: ClinicalDirectorAppointmentMethod.ELECTED_BY_MEMBERS, sessionsPerWeek: 2 },
        payee: { arrangement: PayeeArrangement.NOMINATED_PRACTICE },
      },
      additionalTerms: [],
      activities: [],
      finances: {
        distributionBasis: DistributionBasis.WEIGHTED_LIST_SIZE,
        distributionTiming: '',
        liabilitySharing: '',
        bankingArrangements: '',
      },
      workforce: { arrsPosts: [] },
      insurance: { indemnityArrangements: '', intellectualProperty: '', otherTerms: '' },
      nonGpArrangements: [],
    },
    annexes: [],
  };
}
