import { Module } from '@nestjs/common';

/** Review and sign: one page per person per round step. */
@Module({
  imports: [],
  controllers: [],
  providers: [],
})
export class ReviewPagesModule {}
