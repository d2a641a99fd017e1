import { IsInt, Max, Min } from 'class-validator';
import { ConfigType } from '@nestjs/config';
import { defineConfig } from '@pcn/common';

export class AccountsEnv {
  /** How long an invitation link works after its email was sent. */
  @IsInt({ message: 'INVITATION_TTL_HOURS must be a whole number of hours' })
  @Min(1)
  @Max(336)
  INVITATION_TTL_HOURS: number = 72;
}

export const accountsConfig = defineConfig('accounts', AccountsEnv);
export type AccountsConfig = ConfigType<typeof accountsConfig>;
