import { MigrationInterface, QueryRunner } from 'typeorm';

export class InvitationEmailClaim1796136995039 implements MigrationInterface {
  name = 'InvitationEmailClaim1796136995039';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sent_email" ALTER COLUMN "round_id" DROP NOT NULL`);
    await queryRunner.query(`ALTER TABLE "sent_email" ALTER COLUMN "person_id" DROP NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sent_email" ALTER COLUMN "person_id" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "sent_email" ALTER COLUMN "round_id" SET NOT NULL`);
  }
}
