import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '@pcn/auth';
import { AuditModule } from '@pcn/audit';
import { DIRECTORY_ENTITIES } from '../directory.module';
import { PeopleAdminController } from './people-admin.controller';
import { PeopleAdminService } from './people-admin.service';

/** People and accounts managed in the product (API routes and the service the pages use). Needs Redis (ending sessions). */
@Module({
  imports: [TypeOrmModule.forFeature(DIRECTORY_ENTITIES), AccountsModule, AuditModule],
  controllers: [PeopleAdminController],
  providers: [PeopleAdminService],
  exports: [PeopleAdminService, AccountsModule],
})
export class PeopleAdminModule {}
