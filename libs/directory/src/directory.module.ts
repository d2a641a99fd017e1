import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DirectoryController } from './directory.controller';
import { DirectoryService } from './directory.service';
import { MembershipEntity } from './memberships/membership.entity';
import { OrganisationEntity } from './organisations/organisation.entity';
import { PersonRoleEntity } from './people/person-role.entity';
import { PersonEntity } from './people/person.entity';

export const DIRECTORY_ENTITIES = [OrganisationEntity, MembershipEntity, PersonEntity, PersonRoleEntity];

@Module({
  imports: [TypeOrmModule.forFeature(DIRECTORY_ENTITIES)],
  controllers: [DirectoryController],
  providers: [DirectoryService],
  exports: [DirectoryService],
})
export class DirectoryModule {}
