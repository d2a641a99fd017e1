import { Module } from '@nestjs/common';

/** Records: auditor search, audit trails, sealed downloads, DPO annexes, practice view, public verification. */
@Module({
  imports: [],
  controllers: [],
  providers: [],
})
export class RecordsPagesModule {}
