import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AgreementRevisionEntity, AgreementTemplateEntity, NetworkAgreementEntity, referencedOrganisationIds } from '@pcn/agreements';
import { DirectoryService } from '@pcn/directory';
import type { AgreementDocumentInput } from './agreement-document.adapter';

export type AgreementDocumentBase = Pick<AgreementDocumentInput, 'reference' | 'title' | 'versionNumber' | 'pcn' | 'revision' | 'clauses' | 'organisations'>;

/**
 * Everything a document of a revision needs from the stored records: the template's
 * clauses, the PCN and every organisation the content names. Shared by draft previews
 * (API) and executed documents (worker), so both print the same thing.
 */
@Injectable()
export class AgreementDocumentSource {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly directory: DirectoryService,
  ) {}

  async base(agreement: NetworkAgreementEntity, revision: AgreementRevisionEntity): Promise<AgreementDocumentBase> {
    const [template, pcn, orgs] = await Promise.all([
      this.dataSource.getRepository(AgreementTemplateEntity).findOneByOrFail({ id: agreement.templateId }),
      this.directory.getPcn(agreement.pcnId),
      this.directory.organisationsByIds(referencedOrganisationIds(revision.content)),
    ]);
    return {
      reference: agreement.reference,
      title: revision.content.title,
      versionNumber: agreement.versionNumber,
      pcn: { name: pcn.name, code: pcn.odsCode, icbCode: pcn.icbCode ?? '' },
      revision: { number: revision.number, contentHash: revision.contentHash, content: revision.content },
      clauses: template.clauses,
      organisations: Object.fromEntries(orgs.map((o) => [o.id, { name: o.name, odsCode: o.odsCode, kind: o.kind }])),
    };
  }
}
