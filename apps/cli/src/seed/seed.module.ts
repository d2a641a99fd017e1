import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { appConfig } from '@pcn/common';
import { DatabaseModule } from '@pcn/database';
import { AuthModule } from '@pcn/auth';
import { DirectoryModule } from '@pcn/directory';
import { AgreementsModule } from '@pcn/agreements';

/** Seeding goes through the same services as the API, so demo data obeys every rule. */
@Module({
  imports: [ConfigModule.forRoot({ isGlobal: true, load: [appConfig], cache: true }), DatabaseModule, AuthModule, DirectoryModule, AgreementsModule],
})
export class SeedModule {}
