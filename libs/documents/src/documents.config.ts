import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { ConfigType } from '@nestjs/config';
import { defineConfig } from '@pcn/common';

export class DocumentsEnv {
  /** Largest PDF accepted by POST /api/v1/verify. */
  @IsInt({ message: 'VERIFY_MAX_UPLOAD_BYTES must be a whole number of bytes' })
  @Min(1024)
  @Max(100 * 1024 * 1024)
  VERIFY_MAX_UPLOAD_BYTES: number = 20 * 1024 * 1024;
}

/** The platform seal certificate: a PKCS#12 file, or the same as base64. Needed by the worker only. */
export class SealEnv {
  @IsOptional() @IsString() SEAL_P12_PATH: string = '';
  @IsOptional() @IsString() SEAL_P12_BASE64: string = '';
  @IsString({ message: 'SEAL_P12_PASSPHRASE must be set (the passphrase of the seal certificate)' })
  SEAL_P12_PASSPHRASE: string = '';
}

export const documentsConfig = defineConfig('documents', DocumentsEnv);
export type DocumentsConfig = ConfigType<typeof documentsConfig>;
export const sealConfig = defineConfig('seal', SealEnv);
export type SealConfig = ConfigType<typeof sealConfig>;
