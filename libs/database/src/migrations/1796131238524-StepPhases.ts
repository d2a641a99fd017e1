import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The phase of each step (IG_REVIEW, PARTIES, COUNTERSIGN) stored on the round and on each
 * request, backfilled from what the numbers meant until now: steps up to ig_last_step are IG
 * review, the next step the parties', and a step after that the clinical director's
 * countersignature. Also the person who sent each round, from their account.
 */
export class StepPhases1796131238524 implements MigrationInterface {
  name = 'StepPhases1796131238524';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "signature_request" ADD "phase" character varying(12)`);
    await queryRunner.query(`ALTER TABLE "approval_round" ADD "step_phases" character varying(12) array`);
    await queryRunner.query(`
      UPDATE "approval_round" SET "step_phases" = ARRAY(
        SELECT CASE WHEN s <= ig_last_step THEN 'IG_REVIEW' WHEN s = ig_last_step + 1 THEN 'PARTIES' ELSE 'COUNTERSIGN' END
        FROM generate_series(1, last_step) AS s ORDER BY s)::varchar(12)[]`);
    await queryRunner.query(`
      UPDATE "signature_request" r SET "phase" = round.step_phases[r.step]
      FROM "approval_round" round WHERE round.id = r.round_id`);
    await queryRunner.query(`ALTER TABLE "signature_request" ALTER COLUMN "phase" SET NOT NULL`);
    // Who sent each round, as a person: the workflow no longer reads auth's user_account for it.
    await queryRunner.query(`ALTER TABLE "approval_round" ADD "submitted_by_person_id" uuid`);
    await queryRunner.query(`UPDATE "approval_round" r SET "submitted_by_person_id" = u.person_id FROM "user_account" u WHERE u.id = r.submitted_by`);
    await queryRunner.query(`ALTER TABLE "approval_round" ALTER COLUMN "step_phases" SET NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "approval_round" DROP COLUMN "submitted_by_person_id"`);
    await queryRunner.query(`ALTER TABLE "approval_round" DROP COLUMN "step_phases"`);
    await queryRunner.query(`ALTER TABLE "signature_request" DROP COLUMN "phase"`);
  }
}
