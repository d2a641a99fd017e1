import { Module } from '@nestjs/common';

/** The agreement page and running an approval round: who will sign, send, progress, reminders, withdraw, extend, restart, variation. */
@Module({
  imports: [],
  controllers: [],
  providers: [],
})
export class RoundPagesModule {}
