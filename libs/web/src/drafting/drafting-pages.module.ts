import { Module } from '@nestjs/common';

/** Drafting: PCN overview, new agreement, schedule and annex forms, revision history and diffs. */
@Module({
  imports: [],
  controllers: [],
  providers: [],
})
export class DraftingPagesModule {}
