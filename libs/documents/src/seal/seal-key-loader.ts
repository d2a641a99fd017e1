import { readFileSync } from 'node:fs';
import { ConfigurationError } from '@pcn/common';
import type { SealConfig } from '../documents.config';
import { Pkcs11ConfigurationError, Pkcs11Setting, Pkcs11Signer } from './pkcs11-signer';
import { readDerList } from './der-list';
import { Pkcs12Signer, SealKeySigner } from './signer';

const PKCS11_VARIABLE: Record<Pkcs11Setting, (config: SealConfig) => string> = {
  module: () => 'SEAL_PKCS11_MODULE',
  slot: (config) => (config.SEAL_PKCS11_TOKEN_LABEL ? 'SEAL_PKCS11_TOKEN_LABEL' : 'SEAL_PKCS11_SLOT'),
  pin: () => 'SEAL_PKCS11_PIN',
  keyLabel: () => 'SEAL_PKCS11_KEY_LABEL',
  certificate: (config) => (config.SEAL_CERTIFICATE ? 'SEAL_CERTIFICATE' : 'SEAL_PKCS11_KEY_LABEL'),
};

function loadPkcs12Signer(config: SealConfig): Pkcs12Signer {
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
  try {
    return Pkcs12Signer.fromPkcs12(p12, config.SEAL_P12_PASSPHRASE);
  } catch (error) {
    throw new ConfigurationError(`Invalid configuration: SEAL_P12_*: the seal certificate could not be opened (${(error as Error).message})`);
  }
}

/** Opens the token named by SEAL_PKCS11_*; every failure becomes one line naming the variable to fix. */
export function loadPkcs11Signer(config: SealConfig): Pkcs11Signer {
  const certificate = config.SEAL_CERTIFICATE ? readDerList(config.SEAL_CERTIFICATE, 'SEAL_CERTIFICATE')[0] : undefined;
  try {
    return Pkcs11Signer.open({
      module: config.SEAL_PKCS11_MODULE,
      slot: config.SEAL_PKCS11_SLOT ? Number(config.SEAL_PKCS11_SLOT) : undefined,
      tokenLabel: config.SEAL_PKCS11_TOKEN_LABEL || undefined,
      pin: config.SEAL_PKCS11_PIN,
      keyLabel: config.SEAL_PKCS11_KEY_LABEL,
      certificate,
      chain: readDerList(config.SEAL_CHAIN_CERTIFICATES, 'SEAL_CHAIN_CERTIFICATES'),
    });
  } catch (error) {
    if (error instanceof Pkcs11ConfigurationError) {
      throw new ConfigurationError(`Invalid configuration: ${PKCS11_VARIABLE[error.setting](config)}: ${error.message}`);
    }
    throw new ConfigurationError(`Invalid configuration: SEAL_PKCS11_*: the seal key could not be opened (${(error as Error).message})`);
  }
}

/**
 * The seal's key as SEAL_SIGNER selects it: a PKCS#12 file decoded into memory, or a key that
 * stays in a PKCS#11 token. Called once at start-up; a wrong setting stops the process with
 * one clear line.
 */
export function loadSealKeySigner(config: SealConfig): SealKeySigner {
  return config.SEAL_SIGNER === 'pkcs11' ? loadPkcs11Signer(config) : loadPkcs12Signer(config);
}
