import { referencedOrganisationIds } from '../content';
import { BYTES_COMMUNITY_TRUST, BYTES_IDS, BYTES_PRACTICES, buildValidContent } from '../content/testing/content.factory';

describe('referencedOrganisationIds', () => {
  it('collects every organisation the content points at, once each', () => {
    const ids = referencedOrganisationIds(buildValidContent());
    expect(ids.sort()).toEqual([...BYTES_PRACTICES.map((p) => p.organisationId), BYTES_COMMUNITY_TRUST.organisationId].sort());
  });

  it('finds ids in every field that names an organisation', () => {
    const content = buildValidContent();
    const id = (n: number) => `5f1c2a10-0d3e-4b6a-9c01-0000000001${String(n).padStart(2, '0')}`;
    content.schedules.keyDetails.payee.organisationId = id(1);
    content.schedules.activities[0].deliveredBy = [id(2)];
    content.schedules.activities[0].cqcRegisteredProviderId = id(3);
    content.schedules.finances.payeeOrganisationId = id(4);
    content.schedules.finances.shares = [{ organisationId: id(5), percentage: 100 }];
    content.schedules.workforce.arrsPosts[0].employerOrganisationId = id(6);
    content.schedules.workforce.arrsPosts[0].hostPracticeIds = [id(7)];
    content.schedules.nonGpArrangements[0].organisationId = id(8);
    content.annexes[0].parties[0].organisationId = id(9);
    content.annexes[0].flows[0].fromOrganisationId = id(10);
    content.annexes[0].flows[0].toOrganisationId = id(11);
    content.annexes[0].rightsRequestsHandledBy = id(12);
    const ids = new Set(referencedOrganisationIds(content));
    for (let n = 1; n <= 12; n++) expect({ n, found: ids.has(id(n)) }).toEqual({ n, found: true });
  });

  it('ignores ids that are not organisations (annex ids, person ids) and values that are not uuids', () => {
    const content = buildValidContent();
    content.schedules.keyDetails.payee.organisationId = 'not-a-uuid';
    const ids = referencedOrganisationIds(content);
    expect(ids).not.toContain(BYTES_IDS.directCareAnnex);
    expect(ids).not.toContain(BYTES_IDS.clinicalDirector);
    expect(ids).not.toContain('not-a-uuid');
  });
});
