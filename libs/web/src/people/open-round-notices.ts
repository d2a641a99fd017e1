import { Injectable } from '@nestjs/common';
import type { Principal } from '@pcn/auth';
import { AgreementsService, AgreementStatus } from '@pcn/agreements';
import { DomainException, PAGE_LIMIT_MAX } from '@pcn/common';
import type { OrganisationPeople, PeopleAdminService } from '@pcn/directory';
import { RoundQueriesService } from '@pcn/workflow';

/** Agreements whose latest round may still be open (sent, not yet executed, withdrawn or declined). */
const OPEN_AGREEMENT = [AgreementStatus.InIgReview, AgreementStatus.AwaitingSignatures, AgreementStatus.Expired];

/**
 * What a people change means for rounds already sent: a round keeps the signers it was sent
 * with, so a person still asked to sign for this organisation who no longer holds a role here
 * (a partner whose role ended mid-round) is named, with what the clinical director can do.
 * Reads rounds only through the workflow lib's RoundQueriesService, as the person viewing.
 */
@Injectable()
export class OpenRoundNotices {
  constructor(
    private readonly agreements: AgreementsService,
    private readonly rounds: RoundQueriesService,
  ) {}

  async forOrganisation(principal: Principal, people: PeopleAdminService, data: OrganisationPeople): Promise<string[]> {
    const { organisation } = data;
    const holders = new Set(data.roles.filter((r) => r.current).map((r) => r.personId));
    const notices: string[] = [];
    for (const pcnId of await people.pcnsOf(organisation.id)) {
      // Only agreements that may have an open round: a PCN's executed history can be long.
      const agreements = await this.agreements.list(principal, pcnId, { statuses: OPEN_AGREEMENT, limit: PAGE_LIMIT_MAX }).then((p) => p.items, noneIfNotReadable);
      const pending = await this.rounds.pendingInOpenRounds(
        principal,
        agreements.map((a) => a.id),
        organisation.id,
      );
      for (const agreement of agreements) {
        const waiting = pending.filter((p) => p.agreementId === agreement.id && !holders.has(p.personId));
        const names = [...new Set(waiting.map((s) => s.personName))];
        if (names.length === 0) continue;
        notices.push(
          `The open round for ${agreement.title} keeps the plan it was sent with: it still asks ${listInWords(names)} to sign for ${organisation.name}, who no longer ${names.length === 1 ? 'holds' : 'hold'} a role here. ` +
            'The clinical director may restart it (withdraw the round and send it again) so that it uses the new plan.',
        );
      }
    }
    return notices;
  }
}

/** Someone who manages these people but may not read the PCN's agreements sees no notice ("not found" means exactly that). */
function noneIfNotReadable(error: unknown): never[] {
  if (error instanceof DomainException && error.status === 404) return [];
  throw error;
}

const listInWords = (names: string[]) => (names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`);
