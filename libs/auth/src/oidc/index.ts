export * from './oidc.config';
export * from './oidc.module';
export * from './cis2-sign-in.service';
export * from './role-mapping';
export * from './assurance';
