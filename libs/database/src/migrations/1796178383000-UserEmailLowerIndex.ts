import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Accounts looked up by email regardless of case: the documents worker names each email
 * recipient on the certificate of completion with `lower(email) IN (…)`. Without this index
 * that read scanned every account, about 25 ms an execution with 31,899 accounts (the national
 * drill); with it, an index lookup per address. Declared on UserEntity with synchronize: false.
 */
export class UserEmailLowerIndex1796178383000 implements MigrationInterface {
  name = 'UserEmailLowerIndex1796178383000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "user_account_email_lower_idx" ON "user_account" (lower("email"))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "user_account_email_lower_idx"`);
  }
}
