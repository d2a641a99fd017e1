import { Inject, Injectable, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { readFileSync } from 'node:fs';
import { ConfigurationError } from '@pcn/common';
import { sealConfig, SealConfig } from './documents.config';
import { SealService } from './seal/seal.service';
import { readDerList } from './seal/seal-trust';
import { Pkcs12Signer } from './seal/signer';
import { HttpTimestampAuthority } from './seal/tsa-client';

/** Loads the seal certificate once at start-up; a missing or unreadable one stops the worker with one clear line. */
export function loadSealService(config: SealConfig): SealService {
  let p12: Buffer;
  if (config.SEAL_P12_BASE64) p12 = Buffer.from(config.SEAL_P12_BASE64, 'base64');
  else if (config.SEAL_P12_PATH) {
    try {
      p12 = readFileSync(config.SEAL_P12_PATH);
    } catch (error) {
      throw new ConfigurationError(`Invalid configuration: SEAL_P12_PATH: cannot read ${config.SEAL_P12_PATH} (${(error as NodeJS.ErrnoException).code})`);
    }
  } else {
    throw new ConfigurationError('Invalid configuration: SEAL_P12_PATH or SEAL_P12_BASE64 must be set (run `node scripts/dev-seal-cert.js` for a development certificate)');
  }
  let signer: Pkcs12Signer;
  try {
    signer = Pkcs12Signer.fromPkcs12(p12, config.SEAL_P12_PASSPHRASE);
  } catch (error) {
    throw new ConfigurationError(`Invalid configuration: SEAL_P12_*: the seal certificate could not be opened (${(error as Error).message})`);
  }
  if (config.TSA_URL && !/^https?:\/\//.test(config.TSA_URL)) {
    throw new ConfigurationError(`Invalid configuration: TSA_URL: must be an http(s):// URL (check its value)`);
  }
  const tsa = config.TSA_URL
    ? new HttpTimestampAuthority({ url: config.TSA_URL, username: config.TSA_USERNAME || undefined, password: config.TSA_PASSWORD || undefined })
    : null;
  return new SealService(signer, {
    tsa,
    validationData: {
      certificates: [
        ...readDerList(config.SEAL_CHAIN_CERTIFICATES, 'SEAL_CHAIN_CERTIFICATES'),
        ...readDerList(config.TSA_TRUSTED_CERTIFICATES, 'TSA_TRUSTED_CERTIFICATES'),
      ],
      crls: readDerList(config.SEAL_CRL_PATHS, 'SEAL_CRL_PATHS', 'X509 CRL'),
    },
  });
}

@Injectable()
export class SealHolder {
  readonly seal: SealService;
  constructor(@Inject(sealConfig.KEY) config: SealConfig) {
    this.seal = loadSealService(config);
  }
}

/** The platform seal, for the worker that produces executed documents. */
@Module({
  imports: [ConfigModule.forFeature(sealConfig)],
  providers: [SealHolder],
  exports: [SealHolder],
})
export class SealModule {}
