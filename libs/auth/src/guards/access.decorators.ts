import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorResponse } from '@pcn/common';
import { Permission } from '../auth.enums';

export const ACCESS_RULE = 'pcn:access-rule';

export type AccessRule =
  | { kind: 'public' }
  | { kind: 'authenticated' }
  | { kind: 'permission'; permissions: Permission[] };

/** Opens a route to anyone, signed in or not. Every use should be obvious in review. */
export const Public = () => SetMetadata(ACCESS_RULE, { kind: 'public' } satisfies AccessRule);

/** Any signed-in user; the service decides which records they see. */
export const Authenticated = () =>
  applyDecorators(
    SetMetadata(ACCESS_RULE, { kind: 'authenticated' } satisfies AccessRule),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ type: ErrorResponse }),
  );

/** The user needs at least one of these permissions through one of their roles. */
export const RequirePermission = (...permissions: Permission[]) =>
  applyDecorators(
    SetMetadata(ACCESS_RULE, { kind: 'permission', permissions } satisfies AccessRule),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ type: ErrorResponse }),
    ApiForbiddenResponse({ type: ErrorResponse }),
  );
