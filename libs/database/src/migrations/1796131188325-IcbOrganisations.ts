import { MigrationInterface, QueryRunner } from 'typeorm';

export class IcbOrganisations1796131188325 implements MigrationInterface {
  name = 'IcbOrganisations1796131188325';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "organisation" ADD CONSTRAINT "organisation_icb_code_check" CHECK (kind <> 'ICB' OR ods_code ~ '^Q[0-9A-Z]{2}$')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "organisation" DROP CONSTRAINT "organisation_icb_code_check"`);
  }
}
