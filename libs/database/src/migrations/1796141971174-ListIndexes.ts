import { MigrationInterface, QueryRunner } from 'typeorm';

export class ListIndexes1796141971174 implements MigrationInterface {
  name = 'ListIndexes1796141971174';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."network_agreement_pcn_idx"`);
    await queryRunner.query(`CREATE INDEX "organisation_kind_name_idx" ON "organisation"  ("kind", "name", "id") `);
    await queryRunner.query(`CREATE INDEX "network_agreement_executed_idx" ON "network_agreement"  ("executed_at", "id") WHERE status IN ('EXECUTED', 'SUPERSEDED', 'TERMINATED')`);
    await queryRunner.query(`CREATE INDEX "network_agreement_pcn_created_idx" ON "network_agreement"  ("pcn_id", "created_at", "id") `);
    await queryRunner.query(`CREATE INDEX "signature_request_agreement_idx" ON "signature_request"  ("agreement_id") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."signature_request_agreement_idx"`);
    await queryRunner.query(`DROP INDEX "public"."network_agreement_pcn_created_idx"`);
    await queryRunner.query(`DROP INDEX "public"."network_agreement_executed_idx"`);
    await queryRunner.query(`DROP INDEX "public"."organisation_kind_name_idx"`);
    await queryRunner.query(`CREATE INDEX "network_agreement_pcn_idx" ON "network_agreement" USING btree ("pcn_id") `);
  }
}
