export * from './security.config';
export * from './password-policy';
export * from './login-throttle.service';
export * from './session-revocation.service';
export * from './auth-event.entity';
export * from './auth-events.service';
export * from './password-hasher';
