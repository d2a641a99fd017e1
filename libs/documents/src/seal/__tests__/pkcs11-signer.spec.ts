import { createHash, randomBytes, verify, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { loadTypedConfig } from '@pcn/common';
import { createSoftHsmToken, softHsmModule, SoftHsmToken, useSoftHsmConfiguration } from '../../../../../test/support/softhsm';
import { startTestTsa, TestTsa } from '../../../../../test/support/test-tsa';
import { SealEnv, SealConfig } from '../../documents.config';
import { loadSealService } from '../../seal.module';
import { buildDocumentModel } from '../../testing/document-model.factory';
import { runTool, tempDir, writeTemp } from '../../testing/pdf-tools';
import { verifySealedPdf } from '../../verify/verify-sealed-pdf';
import { Pkcs11Signer } from '../pkcs11-signer';
import { renderAndSeal } from '../render-and-seal';
import { nssDatabase } from './nss-trust-store';
import { sealTrustFromConfig } from '../seal-trust';

jest.setTimeout(120_000);

describe('SEAL_SIGNER configuration (checked before any token is opened)', () => {
  const pkcs11 = { SEAL_SIGNER: 'pkcs11', SEAL_PKCS11_MODULE: '/usr/lib/softhsm/libsofthsm2.so', SEAL_PKCS11_TOKEN_LABEL: 'seal', SEAL_PKCS11_PIN: '1234', SEAL_PKCS11_KEY_LABEL: 'seal-key' };
  const without = (name: keyof typeof pkcs11) => ({ ...pkcs11, [name]: '' });

  it('names the missing PKCS#11 setting in one line', () => {
    expect(() => loadTypedConfig(SealEnv, without('SEAL_PKCS11_MODULE'))).toThrow(
      "Invalid configuration: SEAL_PKCS11_MODULE: SEAL_PKCS11_MODULE must be set when SEAL_SIGNER=pkcs11 (the path of the token vendor's PKCS#11 library) (it is not set)",
    );
    expect(() => loadTypedConfig(SealEnv, without('SEAL_PKCS11_TOKEN_LABEL'))).toThrow(
      'Invalid configuration: SEAL_PKCS11_TOKEN_LABEL: SEAL_PKCS11_TOKEN_LABEL or SEAL_PKCS11_SLOT must be set when SEAL_SIGNER=pkcs11 (which token holds the seal key) (it is not set)',
    );
    expect(() => loadTypedConfig(SealEnv, without('SEAL_PKCS11_PIN'))).toThrow(
      'Invalid configuration: SEAL_PKCS11_PIN: SEAL_PKCS11_PIN must be set when SEAL_SIGNER=pkcs11 (the user PIN of the token) (it is not set)',
    );
    expect(() => loadTypedConfig(SealEnv, without('SEAL_PKCS11_KEY_LABEL'))).toThrow(
      'Invalid configuration: SEAL_PKCS11_KEY_LABEL: SEAL_PKCS11_KEY_LABEL must be set when SEAL_SIGNER=pkcs11 (the label of the seal key on the token) (it is not set)',
    );
  });

  it('refuses an unknown signer and a slot that is not a number; a slot id stands in for the token label', () => {
    expect(() => loadTypedConfig(SealEnv, { ...pkcs11, SEAL_SIGNER: 'kms' })).toThrow(
      'Invalid configuration: SEAL_SIGNER: SEAL_SIGNER must be pkcs12 (a .p12 file) or pkcs11 (a token such as an HSM) (check its value)',
    );
    expect(() => loadTypedConfig(SealEnv, { ...pkcs11, SEAL_PKCS11_SLOT: 'first' })).toThrow(
      'Invalid configuration: SEAL_PKCS11_SLOT: SEAL_PKCS11_SLOT must be a slot id, decimal or 0x hex (check its value)',
    );
    expect(loadTypedConfig(SealEnv, { ...without('SEAL_PKCS11_TOKEN_LABEL'), SEAL_PKCS11_SLOT: '0x3bb4a24a' }).SEAL_PKCS11_SLOT).toBe('0x3bb4a24a');
  });

  it('a PKCS#11 seal needs no PKCS#12 passphrase, even in production; a PKCS#12 seal still does', () => {
    expect(loadTypedConfig(SealEnv, { ...pkcs11, NODE_ENV: 'production' }).SEAL_SIGNER).toBe('pkcs11');
    expect(() => loadTypedConfig(SealEnv, { NODE_ENV: 'production' })).toThrow(/^Invalid configuration: SEAL_P12_PASSPHRASE: /);
  });
});

// Skips only where Debian's softhsm2 is not installed; scripts/lib/common.sh installs it for CI.
const describeWithSoftHsm = softHsmModule() ? describe : describe.skip;

describeWithSoftHsm('PKCS#11 seal signer against a SoftHSM v2 token (independent judges: pdfsig, openssl)', () => {
  let tsa: TestTsa;
  let token: SoftHsmToken;
  let dir: string;
  let nss: string;
  let hsmSeal: ReturnType<TestTsa['pki']['issueSeal']>;
  let config: SealConfig;
  const model = buildDocumentModel({ practices: 3, annexes: 1 });

  beforeAll(async () => {
    tsa = await startTestTsa();
    const p = tsa.pki;
    hsmSeal = p.issueSeal('PCN Agreements Test HSM Seal');
    token = createSoftHsmToken({
      label: 'pcn-seal',
      pin: '246810',
      keys: [
        { keyPath: hsmSeal.keyPath, label: 'seal-2026', id: 'a1', certificate: hsmSeal.der },
        // A second key pair without a certificate on the token: its certificate comes from SEAL_CERTIFICATE.
        { keyPath: p.seal.keyPath, label: 'seal-2025', id: 'a2' },
      ],
    });
    await useSoftHsmConfiguration(token.conf);
    dir = tempDir();
    nss = nssDatabase(dir, [p.sealCa.pemPath, p.tsaCa.pemPath]);
    config = loadTypedConfig(SealEnv, {
      NODE_ENV: 'test',
      SEAL_SIGNER: 'pkcs11',
      SEAL_PKCS11_MODULE: token.module,
      SEAL_PKCS11_TOKEN_LABEL: token.label,
      SEAL_PKCS11_PIN: token.pin,
      SEAL_PKCS11_KEY_LABEL: 'seal-2026',
      SEAL_CHAIN_CERTIFICATES: p.sealCa.pemPath,
      ...tsa.env,
    });
  });
  afterAll(async () => {
    await tsa?.close();
    token?.remove();
  });

  it('seals B-LTA with the key on the token and the certificate stored next to it: pdfsig valid and trusted, our verifier authentic', async () => {
    const seal = loadSealService(config);
    try {
      expect(seal.signer.description).toBe(`PKCS#11 token "pcn-seal" (slot ${token.slot}), key "seal-2026"`);
      expect(seal.signer.certificate.equals(hsmSeal.der)).toBe(true);
      expect(seal.signer.chain).toEqual([tsa.pki.sealCa.der]);
      const sealed = await renderAndSeal(model, seal);
      expect(sealed.level).toBe('B-LTA');

      const path = writeTemp(dir, 'hsm-lta.pdf', sealed.pdf);
      const [signature, documentTimestamp] = runTool('pdfsig', ['-nssdir', nss, path]).stdout.split(/Signature #\d+:/).slice(1);
      expect(signature).toContain('Signature is Valid.');
      expect(signature).toContain('Certificate is Trusted.');
      expect(signature).toContain('Signer Certificate Common Name: PCN Agreements Test HSM Seal');
      expect(documentTimestamp).toContain('Signer Certificate Common Name: PCN Agreements Test TSA');
      expect(documentTimestamp).toContain('Total document signed');

      const verdict = await verifySealedPdf(sealed.pdf, sealTrustFromConfig(config));
      expect([verdict.verdict, verdict.level, verdict.sealCertificateFingerprint]).toEqual(['AUTHENTIC', 'B-LTA', createHash('sha256').update(hsmSeal.der).digest('hex')]);
    } finally {
      seal.signer.close?.();
    }
  });

  it('by slot id, with the certificate from SEAL_CERTIFICATE: seals B-B that pdfsig finds valid and trusted', async () => {
    const seal = loadSealService({ ...config, SEAL_PKCS11_TOKEN_LABEL: '', SEAL_PKCS11_SLOT: String(token.slot), SEAL_PKCS11_KEY_LABEL: 'seal-2025', SEAL_CERTIFICATE: tsa.pki.seal.pemPath, TSA_URL: '' });
    try {
      expect(seal.signer.certificate.equals(tsa.pki.seal.der)).toBe(true);
      const sealed = await renderAndSeal(model, seal, { annexId: model.annexes[0].id });
      expect(sealed.level).toBe('B-B');
      const out = runTool('pdfsig', ['-nssdir', nss, writeTemp(dir, 'hsm-bb.pdf', sealed.pdf)]).stdout;
      expect(out).toContain('Signature is Valid.');
      expect(out).toContain('Certificate is Trusted.');
      expect(out).toContain('Signer Certificate Common Name: PCN Agreements Test Seal');
      expect((await verifySealedPdf(sealed.pdf, { sealCertificates: [tsa.pki.seal.der], tsaCertificates: [] })).verdict).toBe('AUTHENTIC');
    } finally {
      seal.signer.close?.();
    }
  });

  it('signs concurrent requests one at a time, and reopens a session the token dropped', async () => {
    const signer = Pkcs11Signer.open({ module: token.module, tokenLabel: token.label, pin: token.pin, keyLabel: 'seal-2026' });
    try {
      const publicKey = new X509Certificate(signer.certificate).publicKey;
      const messages = Array.from({ length: 8 }, () => randomBytes(64));
      const signatures = await Promise.all(messages.map((m) => signer.sign(createHash('sha256').update(m).digest())));
      expect(messages.filter((m, i) => verify('sha256', m, publicKey, signatures[i]))).toHaveLength(8);

      // What an HSM does after a reset or an idle timeout: the session handle stops being valid.
      const internals = signer as unknown as { module: { C_CloseSession(s: Buffer): void }; session: Buffer };
      internals.module.C_CloseSession(internals.session);
      const message = randomBytes(64);
      expect(verify('sha256', message, publicKey, await signer.sign(createHash('sha256').update(message).digest()))).toBe(true);
    } finally {
      signer.close();
    }
    await expect(signer.sign(randomBytes(32))).rejects.toThrow(`The seal signer (PKCS#11 token "pcn-seal" (slot ${token.slot}), key "seal-2026") is closed`);
  });

  it('stops at start-up with one line naming the setting: wrong PIN, unknown token, unknown key, a certificate of another key, no library', () => {
    const attempt = (changes: Partial<SealConfig>) => () => loadSealService({ ...config, ...changes });
    expect(attempt({ SEAL_PKCS11_PIN: '000000' })).toThrow('Invalid configuration: SEAL_PKCS11_PIN: the token "pcn-seal" refused the PIN');
    expect(attempt({ SEAL_PKCS11_TOKEN_LABEL: 'other' })).toThrow(
      `Invalid configuration: SEAL_PKCS11_TOKEN_LABEL: no token with label "other" in ${token.module} (tokens present: slot ${token.slot} "pcn-seal", slot 1 "")`,
    );
    expect(attempt({ SEAL_PKCS11_KEY_LABEL: 'seal-1999' })).toThrow('Invalid configuration: SEAL_PKCS11_KEY_LABEL: no private key labelled "seal-1999" on the token "pcn-seal"');
    expect(attempt({ SEAL_PKCS11_KEY_LABEL: 'seal-2025' })).toThrow(
      'Invalid configuration: SEAL_PKCS11_KEY_LABEL: no certificate with the key\'s id a2 on the token "pcn-seal"; store the seal certificate there or set SEAL_CERTIFICATE',
    );
    expect(attempt({ SEAL_CERTIFICATE: tsa.pki.seal.pemPath })).toThrow(
      'Invalid configuration: SEAL_CERTIFICATE: the seal certificate does not belong to the key "seal-2026" (a test signature did not verify with its public key)',
    );
    expect(attempt({ SEAL_PKCS11_MODULE: join(dir, 'no-such-library.so') })).toThrow(
      new RegExp(`^Invalid configuration: SEAL_PKCS11_MODULE: cannot load the PKCS#11 library ${join(dir, 'no-such-library.so')} \\(`),
    );
    // The token still works after the refusals above (no PIN lock-out, sessions released).
    const seal = loadSealService(config);
    seal.signer.close?.();
  });

  it('the verifier of a process with the token but without SEAL_CERTIFICATE trusts the certificate on the token', () => {
    const trust = sealTrustFromConfig({ ...config, SEAL_RETIRED_CERTIFICATES: tsa.pki.seal.pemPath });
    expect(trust.sealCertificates).toEqual([hsmSeal.der, tsa.pki.seal.der]);
  });
});
