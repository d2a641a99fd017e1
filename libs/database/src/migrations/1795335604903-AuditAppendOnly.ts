import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail is evidence, so the database itself refuses to change or remove an
 * audit event, whatever code (or person) tries: UPDATE and DELETE row by row, TRUNCATE
 * per statement. Only a table owner or superuser who first disables the triggers can
 * get past this, and the hash chain then shows what they changed.
 */
export class AuditAppendOnly1795335604903 implements MigrationInterface {
  name = 'AuditAppendOnly1795335604903';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION refuse_audit_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP
          USING ERRCODE = 'integrity_constraint_violation',
                HINT = 'Audit events can only be inserted; record a new event to correct an earlier one.';
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
      FOR EACH ROW EXECUTE FUNCTION refuse_audit_event_change()`);
    await queryRunner.query(`
      CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
      FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_event_change()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER audit_event_no_truncate ON audit_event`);
    await queryRunner.query(`DROP TRIGGER audit_event_append_only ON audit_event`);
    await queryRunner.query(`DROP FUNCTION refuse_audit_event_change()`);
  }
}
