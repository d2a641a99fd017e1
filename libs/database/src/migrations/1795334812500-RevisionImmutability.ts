import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signatures bind to a revision's content hash, so the database itself refuses to change
 * or remove a revision, whatever code (or person) tries.
 */
export class RevisionImmutability1795334812500 implements MigrationInterface {
  name = 'RevisionImmutability1795334812500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION refuse_revision_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'agreement revisions are immutable (% refused)', TG_OP USING ERRCODE = 'integrity_constraint_violation';
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER agreement_revision_immutable BEFORE UPDATE OR DELETE ON agreement_revision
      FOR EACH ROW EXECUTE FUNCTION refuse_revision_change()`);
    await queryRunner.query(`
      CREATE TRIGGER agreement_revision_no_truncate BEFORE TRUNCATE ON agreement_revision
      FOR EACH STATEMENT EXECUTE FUNCTION refuse_revision_change()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER agreement_revision_no_truncate ON agreement_revision`);
    await queryRunner.query(`DROP TRIGGER agreement_revision_immutable ON agreement_revision`);
    await queryRunner.query(`DROP FUNCTION refuse_revision_change()`);
  }
}
