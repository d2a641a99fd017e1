import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthEventEntity } from './auth-event.entity';
import { AuthEventsService } from './auth-events.service';

/**
 * The authentication trail on its own, for modules that record events without the JWT
 * settings AuthModule needs (invitations and accounts, CIS2 sign-in). The service is stateless,
 * so AuthModule's own instance and this one write the same table the same way.
 */
@Module({
  imports: [TypeOrmModule.forFeature([AuthEventEntity])],
  providers: [AuthEventsService],
  exports: [AuthEventsService],
})
export class AuthEventsModule {}
