import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUrl, Matches, Max, Min, ValidateIf } from 'class-validator';
import { ConfigType } from '@nestjs/config';
import { defineConfig, StrongSecret } from '@pcn/common';

export class DocumentsEnv {
  /** Largest PDF accepted by POST /api/v1/verify. */
  @IsInt({ message: 'VERIFY_MAX_UPLOAD_BYTES must be a whole number of bytes' })
  @Min(1024)
  @Max(100 * 1024 * 1024)
  VERIFY_MAX_UPLOAD_BYTES: number = 20 * 1024 * 1024;

  /**
   * Where new sealed PDFs' bytes are kept (storage/document-store.ts): `bytea`, in PostgreSQL
   * next to their row; `s3`, in an S3-compatible bucket (S3_*). Either store reads files the
   * other wrote, so switching needs no move of old files.
   */
  @IsIn(['bytea', 's3'], { message: 'DOCUMENT_STORE must be bytea (sealed PDFs in PostgreSQL) or s3 (in an S3-compatible bucket, S3_* settings)' })
  DOCUMENT_STORE: string = 'bytea';

  /** Another S3-compatible service than AWS (MinIO, Ceph, a cloud's own): its URL. Unset: AWS, by S3_REGION. */
  @ValidateIf((env: DocumentsEnv) => env.S3_ENDPOINT !== '')
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true }, { message: 'S3_ENDPOINT must be an http(s) URL such as https://minio.internal:9000' })
  S3_ENDPOINT: string = '';

  @ValidateIf(usesS3)
  @IsNotEmpty({ message: 'S3_REGION must be set when DOCUMENT_STORE=s3 (e.g. eu-west-2; us-east-1 for most non-AWS servers)' })
  S3_REGION: string = '';

  @ValidateIf(usesS3)
  @Matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'S3_BUCKET must be set when DOCUMENT_STORE=s3, to an existing bucket name (3-63 lower-case letters, digits, dots, hyphens)' })
  S3_BUCKET: string = '';

  /** With S3_SECRET_ACCESS_KEY; both unset: the AWS SDK's own chain (AWS_* variables, instance or task role). */
  @ValidateIf((env: DocumentsEnv) => usesS3(env) && env.S3_SECRET_ACCESS_KEY !== '')
  @IsNotEmpty({ message: 'S3_ACCESS_KEY_ID must be set when S3_SECRET_ACCESS_KEY is (or leave both unset to use the AWS default credentials)' })
  S3_ACCESS_KEY_ID: string = '';

  @ValidateIf((env: DocumentsEnv) => usesS3(env) && env.S3_ACCESS_KEY_ID !== '')
  @IsNotEmpty({ message: 'S3_SECRET_ACCESS_KEY must be set when S3_ACCESS_KEY_ID is (or leave both unset to use the AWS default credentials)' })
  S3_SECRET_ACCESS_KEY: string = '';

  /** `true` for servers that address buckets by path (http://host/bucket/key), as MinIO and most self-hosted ones do. */
  @IsIn(['true', 'false'], { message: 'S3_FORCE_PATH_STYLE must be true or false' })
  S3_FORCE_PATH_STYLE: string = 'false';

  /** Put before every object key, e.g. `pcn-prod/`: lets one bucket hold several installations. */
  @Matches(/^([A-Za-z0-9!_.*'()-]+\/)*$/, { message: 'S3_PREFIX must be empty or folder names each ending in / (e.g. pcn-prod/), of letters, digits and !_.*\'()-' })
  S3_PREFIX: string = '';
}

function usesS3(env: DocumentsEnv): boolean {
  return env.DOCUMENT_STORE === 's3';
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
