import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { ConfigType } from '@nestjs/config';
import { defineConfig, StrongSecret } from '@pcn/common';

export class DocumentsEnv {
  /** Largest PDF accepted by POST /api/v1/verify. */
  @IsInt({ message: 'VERIFY_MAX_UPLOAD_BYTES must be a whole number of bytes' })
  @Min(1024)
  @Max(100 * 1024 * 1024)
  VERIFY_MAX_UPLOAD_BYTES: number = 20 * 1024 * 1024;
}

/** The platform seal certificate: a PKCS#12 file, or the same as base64. Needed by the worker only. */
export class SealEnv {
  /** Read here too: in production the seal passphrase must be strong (StrongSecret; test certificates are throwaway). */
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: string = 'development';

  @IsOptional() @IsString() SEAL_P12_PATH: string = '';
  @IsOptional() @IsString() SEAL_P12_BASE64: string = '';
  @IsString({ message: 'SEAL_P12_PASSPHRASE must be set (the passphrase of the seal certificate)' })
  @StrongSecret(['development', 'test'])
  SEAL_P12_PASSPHRASE: string = '';
  /** The current seal certificate alone (PEM/DER path or base64), for processes without the key (the API's verifier). */
  @IsOptional() @IsString() SEAL_CERTIFICATE: string = '';
  /** Certificates above the seal (issuing CA, intermediates) when the PKCS#12 lacks them: comma-separated PEM/DER paths or base64. */
  @IsOptional() @IsString() SEAL_CHAIN_CERTIFICATES: string = '';
  /** Earlier seal certificates that stay trusted for verification after a rotation: comma-separated PEM/DER paths or base64. */
  @IsOptional() @IsString() SEAL_RETIRED_CERTIFICATES: string = '';
  /** CRLs (PEM/DER paths or base64, comma-separated) of the seal's and the TSA's CAs, kept in the sealed file's DSS (PAdES B-LT). */
  @IsOptional() @IsString() SEAL_CRL_PATHS: string = '';
  /** RFC 3161 timestamp authority; unset: documents are sealed PAdES B-B with the platform clock's time only. */
  @IsOptional() @IsString() TSA_URL: string = '';
  @IsOptional() @IsString() TSA_USERNAME: string = '';
  @IsOptional() @IsString() TSA_PASSWORD: string = '';
  /** Trust anchors (and chain) of the timestamp authority: comma-separated PEM/DER paths or base64. Kept in the DSS too. */
  @IsOptional() @IsString() TSA_TRUSTED_CERTIFICATES: string = '';
  /** `documents:renew-timestamps` adds a document timestamp to documents whose last one is older than this. */
  @IsInt({ message: 'DOCUMENT_TIMESTAMP_RENEW_AFTER_DAYS must be a whole number of days' })
  @Min(1)
  @Max(36500)
  DOCUMENT_TIMESTAMP_RENEW_AFTER_DAYS: number = 365;
}

export const documentsConfig = defineConfig('documents', DocumentsEnv);
export type DocumentsConfig = ConfigType<typeof documentsConfig>;
export const sealConfig = defineConfig('seal', SealEnv);
export type SealConfig = ConfigType<typeof sealConfig>;
