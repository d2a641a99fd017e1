import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { ConfigurationError } from '@pcn/common';

const PEM = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/**
 * Reads a configured list of certificates or CRLs: comma-separated file paths (PEM with one or
 * more blocks, or DER) or base64 DER. `what` names the variable in the one-line error.
 */
export function readDerList(value: string, what: string, pemLabel: 'CERTIFICATE' | 'X509 CRL' = 'CERTIFICATE'): Buffer[] {
  const out: Buffer[] = [];
  for (const item of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    let data: Buffer;
    if (item.includes('-----BEGIN')) data = Buffer.from(item, 'latin1');
    else if (/^[A-Za-z0-9+/=\s]+$/.test(item) && item.length > 200) data = Buffer.from(item, 'base64');
    else {
      try {
        data = readFileSync(item);
      } catch (error) {
        throw new ConfigurationError(`Invalid configuration: ${what}: cannot read ${item} (${(error as NodeJS.ErrnoException).code})`);
      }
    }
    const text = data.toString('latin1');
    if (text.includes('-----BEGIN')) {
      const blocks = [...text.matchAll(PEM)].filter((m) => m[1] === pemLabel);
      if (blocks.length === 0) throw new ConfigurationError(`Invalid configuration: ${what}: ${item} holds no ${pemLabel} block`);
      out.push(...blocks.map((m) => Buffer.from(m[2].replace(/\s+/g, ''), 'base64')));
    } else out.push(data);
  }
  if (pemLabel === 'CERTIFICATE') {
    for (const der of out) {
      try {
        new X509Certificate(der);
      } catch {
        throw new ConfigurationError(`Invalid configuration: ${what}: not an X.509 certificate`);
      }
    }
  }
  return out;
}
