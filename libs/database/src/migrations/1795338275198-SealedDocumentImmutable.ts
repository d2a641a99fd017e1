import { MigrationInterface, QueryRunner } from 'typeorm';

/** A sealed document is the legal record: the database refuses to change or remove it. */
export class SealedDocumentImmutable1795338275198 implements MigrationInterface {
  name = 'SealedDocumentImmutable1795338275198';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION refuse_sealed_document_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'sealed documents are immutable (% refused)', TG_OP USING ERRCODE = 'integrity_constraint_violation';
      END $$`);
    await queryRunner.query(`CREATE TRIGGER sealed_document_immutable BEFORE UPDATE OR DELETE ON sealed_document FOR EACH ROW EXECUTE FUNCTION refuse_sealed_document_change()`);
    await queryRunner.query(`CREATE TRIGGER sealed_document_no_truncate BEFORE TRUNCATE ON sealed_document FOR EACH STATEMENT EXECUTE FUNCTION refuse_sealed_document_change()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER sealed_document_no_truncate ON sealed_document`);
    await queryRunner.query(`DROP TRIGGER sealed_document_immutable ON sealed_document`);
    await queryRunner.query(`DROP FUNCTION refuse_sealed_document_change()`);
  }
}
