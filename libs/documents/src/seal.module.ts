import { Inject, Injectable, Module, OnModuleDestroy } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { ConfigurationError } from '@pcn/common';
import { sealConfig, SealConfig } from './documents.config';
import { SealService } from './seal/seal.service';
import { loadSealKeySigner } from './seal/seal-key-loader';
import { readDerList } from './seal/seal-trust';
import { HttpTimestampAuthority } from './seal/tsa-client';

/** Loads the seal key and certificate once at start-up; a missing or unreadable one stops the worker with one clear line. */
export function loadSealService(config: SealConfig): SealService {
  if (config.TSA_URL && !/^https?:\/\//.test(config.TSA_URL)) {
    throw new ConfigurationError(`Invalid configuration: TSA_URL: must be an http(s):// URL (check its value)`);
  }
  const signer = loadSealKeySigner(config);
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
export class SealHolder implements OnModuleDestroy {
  readonly seal: SealService;
  constructor(@Inject(sealConfig.KEY) config: SealConfig) {
    this.seal = loadSealService(config);
  }

  /** Logs out of a PKCS#11 token (nothing to release for a PKCS#12 key). */
  onModuleDestroy(): void {
    this.seal.signer.close?.();
  }
}

/** The platform seal, for the worker that produces executed documents. */
@Module({
  imports: [ConfigModule.forFeature(sealConfig)],
  providers: [SealHolder],
  exports: [SealHolder],
})
export class SealModule {}
