import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, Min, ValidateIf } from 'class-validator';
import { ConfigType } from '@nestjs/config';
import { defineConfig, StrongSecret } from '@pcn/common';

export class DocumentsEnv {
  /** Largest PDF accepted by POST /api/v1/verify. */
  @IsInt({ message: 'VERIFY_MAX_UPLOAD_BYTES must be a whole number of bytes' })
  @Min(1024)
  @Max(100 * 1024 * 1024)
  VERIFY_MAX_UPLOAD_BYTES: number = 20 * 1024 * 1024;

  /** Where sealed PDFs' bytes are kept (storage/document-store.ts): `bytea`, in PostgreSQL next to their row. */
  @IsIn(['bytea'], { message: 'DOCUMENT_STORE must be bytea (sealed PDFs in PostgreSQL; no other store is implemented yet)' })
  DOCUMENT_STORE: string = 'bytea';
}

const usesPkcs11 = (env: SealEnv) => env.SEAL_SIGNER === 'pkcs11';

/**
 * The platform seal: its key in a PKCS#12 file (or the same as base64), or in a PKCS#11 token
 * (an HSM, SoftHSM); its certificate; trusted time and validation data. The key is needed by
 * the worker only.
 */
export class SealEnv {
  /** Read here too: in production the seal passphrase must be strong (StrongSecret; test certificates are throwaway). */
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: string = 'development';

  /** Where the seal key lives: `pkcs12` (SEAL_P12_*) or `pkcs11` (SEAL_PKCS11_*, the key never leaves the token). */
  @IsIn(['pkcs12', 'pkcs11'], { message: 'SEAL_SIGNER must be pkcs12 (a .p12 file) or pkcs11 (a token such as an HSM)' })
  SEAL_SIGNER: string = 'pkcs12';

  @IsOptional() @IsString() SEAL_P12_PATH: string = '';
  @IsOptional() @IsString() SEAL_P12_BASE64: string = '';
  @ValidateIf((env: SealEnv) => !usesPkcs11(env))
  @IsString({ message: 'SEAL_P12_PASSPHRASE must be set (the passphrase of the seal certificate)' })
  @StrongSecret(['development', 'test'])
  SEAL_P12_PASSPHRASE: string = '';

  /** Path of the token vendor's PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so. */
  @ValidateIf(usesPkcs11)
  @IsNotEmpty({ message: "SEAL_PKCS11_MODULE must be set when SEAL_SIGNER=pkcs11 (the path of the token vendor's PKCS#11 library)" })
  SEAL_PKCS11_MODULE: string = '';
  /** The token by slot id (decimal or 0x hex, as `pkcs11-tool -L` prints it); or use SEAL_PKCS11_TOKEN_LABEL. */
  @ValidateIf((env: SealEnv) => env.SEAL_PKCS11_SLOT !== '')
  @Matches(/^(\d+|0x[0-9a-f]+)$/i, { message: 'SEAL_PKCS11_SLOT must be a slot id, decimal or 0x hex' })
  SEAL_PKCS11_SLOT: string = '';
  @ValidateIf((env: SealEnv) => usesPkcs11(env) && env.SEAL_PKCS11_SLOT === '')
  @IsNotEmpty({ message: 'SEAL_PKCS11_TOKEN_LABEL or SEAL_PKCS11_SLOT must be set when SEAL_SIGNER=pkcs11 (which token holds the seal key)' })
  SEAL_PKCS11_TOKEN_LABEL: string = '';
  @ValidateIf(usesPkcs11)
  @IsNotEmpty({ message: 'SEAL_PKCS11_PIN must be set when SEAL_SIGNER=pkcs11 (the user PIN of the token)' })
  SEAL_PKCS11_PIN: string = '';
  /** CKA_LABEL of the seal's RSA private key on the token. Its certificate is SEAL_CERTIFICATE, else the token's certificate with the key's id. */
  @ValidateIf(usesPkcs11)
  @IsNotEmpty({ message: 'SEAL_PKCS11_KEY_LABEL must be set when SEAL_SIGNER=pkcs11 (the label of the seal key on the token)' })
  SEAL_PKCS11_KEY_LABEL: string = '';
  /** The current seal certificate alone (PEM/DER path or base64): for processes without the key (the API's verifier), and for a PKCS#11 key whose certificate is not on the token. */
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
