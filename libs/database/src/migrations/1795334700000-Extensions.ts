import { MigrationInterface, QueryRunner } from 'typeorm';

/** btree_gist lets one exclusion constraint mix uuid equality with date-range overlap (memberships). */
export class Extensions1795334700000 implements MigrationInterface {
  name = 'Extensions1795334700000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS btree_gist`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP EXTENSION IF EXISTS btree_gist`);
  }
}
