import { IsIn, IsInt, IsString, IsUrl, Max, Min, MinLength, ValidateIf } from 'class-validator';
import { ConfigType } from '@nestjs/config';
import { defineConfig } from '@pcn/common';

/**
 * How people sign in to the pages: NHS Care Identity Service 2 (OpenID Connect) when
 * OIDC_ISSUER_URL is set, and local passwords unless PASSWORD_SIGN_IN=off.
 * The role mapping (OIDC_ROLE_MAPPING / OIDC_ROLE_MAPPING_FILE) is checked by
 * loadRoleMapping() at start-up too (see cis2-sign-in.service.ts).
 */
export class OidcEnv {
  /** e.g. https://am.nhsidentity.spineservices.nhs.uk:443/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare; unset = CIS2 sign-in off. */
  @ValidateIf((env: OidcEnv) => !!env.OIDC_ISSUER_URL)
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true }, { message: 'OIDC_ISSUER_URL must be the https URL of the OpenID provider (the issuer)' })
  OIDC_ISSUER_URL: string = '';

  @ValidateIf((env: OidcEnv) => !!env.OIDC_ISSUER_URL)
  @IsString({ message: 'OIDC_CLIENT_ID must be set when OIDC_ISSUER_URL is set' })
  @MinLength(1, { message: 'OIDC_CLIENT_ID must be set when OIDC_ISSUER_URL is set' })
  OIDC_CLIENT_ID: string = '';

  @ValidateIf((env: OidcEnv) => !!env.OIDC_ISSUER_URL)
  @IsString({ message: 'OIDC_CLIENT_SECRET must be set when OIDC_ISSUER_URL is set' })
  @MinLength(1, { message: 'OIDC_CLIENT_SECRET must be set when OIDC_ISSUER_URL is set' })
  OIDC_CLIENT_SECRET: string = '';

  /** Space-separated scopes asked for; must include openid. */
  @IsString()
  OIDC_SCOPES: string = 'openid profile email nationalrbacaccess associatedorgs';

  /** Sent as acr_values (CIS2: AAL3_ANY, AAL2_OR_AAL3_ANY, AAL2_ANY, AAL1_USERPASS). Empty = not sent. */
  @IsString()
  OIDC_ACR_VALUES: string = 'AAL3_ANY';

  /** The lowest authentication assurance level accepted (1–3); lower sign-ins are refused. */
  @IsInt({ message: 'OIDC_MINIMUM_ASSURANCE_LEVEL must be 1, 2 or 3' })
  @Min(1, { message: 'OIDC_MINIMUM_ASSURANCE_LEVEL must be 1, 2 or 3' })
  @Max(3, { message: 'OIDC_MINIMUM_ASSURANCE_LEVEL must be 1, 2 or 3' })
  OIDC_MINIMUM_ASSURANCE_LEVEL: number = 3;

  /** Where the provider sends people back; defaults to PUBLIC_BASE_URL + /sign-in/cis2/callback. */
  @ValidateIf((env: OidcEnv) => !!env.OIDC_REDIRECT_URL)
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true }, { message: 'OIDC_REDIRECT_URL must be an http(s) URL ending in /sign-in/cis2/callback' })
  OIDC_REDIRECT_URL: string = '';

  /** The mapping table as JSON (wins over the file). */
  @IsString()
  OIDC_ROLE_MAPPING: string = '';

  /** A JSON file holding the mapping table. */
  @IsString()
  OIDC_ROLE_MAPPING_FILE: string = '';

  /** Local email + password sign-in (pages and API): on for development and organisations without smartcards. */
  @IsIn(['on', 'off'], { message: 'PASSWORD_SIGN_IN must be on or off' })
  PASSWORD_SIGN_IN: string = 'on';
}

export const oidcConfig = defineConfig('oidc', OidcEnv);
export type OidcConfig = ConfigType<typeof oidcConfig>;

export const isOidcEnabled = (config: OidcConfig) => !!config.OIDC_ISSUER_URL;
export const isPasswordSignInEnabled = (config: OidcConfig) => config.PASSWORD_SIGN_IN !== 'off';
