import type { AgreementContent } from './agreement-content.types';

export interface OrganisationReference {
  organisationId: string;
  /** Field path in the content, e.g. `schedules.activities[1].deliveredBy[0]`. */
  path: string;
}

/** Every organisation reference in the content, with the field it comes from. */
export function organisationReferences(content: AgreementContent): OrganisationReference[] {
  const refs: OrganisationReference[] = [];
  const add = (organisationId: string | undefined | null, path: string) => {
    if (organisationId) refs.push({ organisationId, path });
  };
  const s = content.schedules;
  (s.keyDetails.corePractices ?? []).forEach((p, i) => add(p.organisationId, `schedules.keyDetails.corePractices[${i}].organisationId`));
  add(s.keyDetails.payee?.organisationId, 'schedules.keyDetails.payee.organisationId');
  (s.activities ?? []).forEach((a, i) => {
    (a.deliveredBy ?? []).forEach((id, k) => add(id, `schedules.activities[${i}].deliveredBy[${k}]`));
    add(a.cqcRegisteredProviderId, `schedules.activities[${i}].cqcRegisteredProviderId`);
  });
  add(s.finances?.payeeOrganisationId, 'schedules.finances.payeeOrganisationId');
  (s.finances?.shares ?? []).forEach((sh, i) => add(sh.organisationId, `schedules.finances.shares[${i}].organisationId`));
  (s.workforce?.arrsPosts ?? []).forEach((post, i) => {
    add(post.employerOrganisationId, `schedules.workforce.arrsPosts[${i}].employerOrganisationId`);
    (post.hostPracticeIds ?? []).forEach((id, k) => add(id, `schedules.workforce.arrsPosts[${i}].hostPracticeIds[${k}]`));
  });
  (s.nonGpArrangements ?? []).forEach((n, i) => add(n.organisationId, `schedules.nonGpArrangements[${i}].organisationId`));
  (content.annexes ?? []).forEach((annex, i) => {
    (annex.parties ?? []).forEach((p, k) => add(p.organisationId, `annexes[${i}].parties[${k}].organisationId`));
    (annex.flows ?? []).forEach((f, k) => {
      add(f.fromOrganisationId, `annexes[${i}].flows[${k}].fromOrganisationId`);
      add(f.toOrganisationId, `annexes[${i}].flows[${k}].toOrganisationId`);
    });
    add(annex.rightsRequestsHandledBy, `annexes[${i}].rightsRequestsHandledBy`);
  });
  return refs;
}

/** Distinct organisation ids the content references (rules check they exist; documents print their names). */
export function referencedOrganisationIds(content: AgreementContent): string[] {
  // Only well-formed ids: anything else cannot name an organisation (and would make the lookup query fail).
  return [...new Set(organisationReferences(content).map((r) => r.organisationId))].filter((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id));
}
