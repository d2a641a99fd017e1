export * from './audit-event-type';
export * from './audit-event.entity';
export * from './audit-chain';
export * from './audit-csv';
export * from './audit.exception';
export * from './audit.service';
export * from './audit.module';
export * from './dto/chain-verification.dto';
