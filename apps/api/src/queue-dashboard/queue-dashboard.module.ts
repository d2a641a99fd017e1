import { Module } from '@nestjs/common';
import { BullBoardModule } from '@bull-board/nestjs';
import { ExpressAdapter } from '@bull-board/express';
import { AuthModule, AuthService } from '@pcn/auth';
import { QueueDashboardRegistrar, adminOnly } from './queue-dashboard.registrar';
import { QueueHealthModule } from '../health/queue-health.module';

/** Bull Board at /admin/queues, for platform admins only (Bearer token). */
@Module({
  imports: [
    BullBoardModule.forRootAsync({
      imports: [AuthModule],
      inject: [AuthService],
      useFactory: (auth: AuthService) => ({ route: '/admin/queues', adapter: ExpressAdapter, middleware: adminOnly(auth) }),
    }),
    QueueHealthModule,
  ],
  providers: [QueueDashboardRegistrar],
})
export class QueueDashboardModule {}
