import { Inject, Injectable } from '@nestjs/common';
import { createSecretKey } from 'node:crypto';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { authConfig, AuthConfig } from '../auth.config';
import { Principal, RoleGrantClaim } from '../principal';

export interface AccessTokenPayload {
  sub: string;
  email: string;
  name: string;
  pid: string | null;
  grants: RoleGrantClaim[];
  amr: string;
  /** The refresh-token family this access token was issued with (revoked at sign-out). */
  fam?: string;
  /** Issue time in milliseconds (`iat` has whole seconds only), compared with revocation marks. */
  iatMs?: number;
  iat?: number;
}

/** What AccessGuard needs from the verified token to check revocation. */
export interface AccessTokenSession {
  familyId: string | null;
  issuedAtMs: number;
}

declare module 'express-serve-static-core' {
  interface Request {
    accessTokenSession?: AccessTokenSession;
  }
}

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(@Inject(authConfig.KEY) config: AuthConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject: given a string, jsonwebtoken first tries (and fails) to parse it as a
      // public key on every request, which cost ~0.6 ms of CPU per authenticated call.
      secretOrKey: createSecretKey(Buffer.from(config.JWT_ACCESS_SECRET)) as unknown as string,
      algorithms: ['HS256'],
      ignoreExpiration: false,
      passReqToCallback: true,
    });
  }

  validate(req: Request, payload: AccessTokenPayload): Principal {
    req.accessTokenSession = { familyId: payload.fam ?? null, issuedAtMs: payload.iatMs ?? (payload.iat ?? 0) * 1000 };
    return { id: payload.sub, email: payload.email, displayName: payload.name, personId: payload.pid, grants: payload.grants ?? [], authMethod: payload.amr };
  }
}
