import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
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
}

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(@Inject(authConfig.KEY) config: AuthConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.JWT_ACCESS_SECRET,
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  validate(payload: AccessTokenPayload): Principal {
    return { id: payload.sub, email: payload.email, displayName: payload.name, personId: payload.pid, grants: payload.grants ?? [], authMethod: payload.amr };
  }
}
