import { Module } from '@nestjs/common';
import { AgreementsModule } from '@pcn/agreements';
import { DirectoryModule } from '@pcn/directory';
import { AgreementsPagesController } from './agreements-pages.controller';
import { DraftingPagesController } from './drafting-pages.controller';
import { DraftingLookups } from './drafting-lookups.service';

/** Drafting: PCN overview, new agreement, schedule and annex forms, revision history and diffs. */
@Module({
  imports: [AgreementsModule, DirectoryModule],
  controllers: [AgreementsPagesController, DraftingPagesController],
  providers: [DraftingLookups],
})
export class DraftingPagesModule {}
