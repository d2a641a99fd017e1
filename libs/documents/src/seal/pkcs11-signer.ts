import { createHash, randomBytes, verify, X509Certificate } from 'node:crypto';
import { SealError, SealKeySigner, SHA256_DIGEST_INFO_PREFIX } from './signer';

/**
 * The part of `pkcs11js` the seal uses, declared here so the project type-checks where the
 * optional native addon could not be built (an image without a compiler). Values are the
 * PKCS#11 v2.40 constants, fixed by the standard.
 */
type Handle = Buffer;
interface Attribute {
  type: number;
  value?: number | boolean | string | Buffer | null;
}
interface Pkcs11Module {
  load(path: string): void;
  C_Initialize(options?: { flags?: number }): void;
  C_Finalize(): void;
  close(): void;
  C_GetSlotList(tokenPresent?: boolean): Handle[];
  C_GetTokenInfo(slot: Handle): { label: string; flags: number };
  C_OpenSession(slot: Handle, flags: number): Handle;
  C_CloseSession(session: Handle): void;
  C_Login(session: Handle, userType: number, pin?: string): void;
  C_FindObjectsInit(session: Handle, template: Attribute[]): void;
  C_FindObjects(session: Handle, maxObjectCount: number): Handle[];
  C_FindObjectsFinal(session: Handle): void;
  C_GetAttributeValue(session: Handle, object: Handle, template: Attribute[]): Attribute[];
  C_SignInit(session: Handle, mechanism: { mechanism: number; parameter?: Buffer | null }, key: Handle): void;
  C_Sign(session: Handle, inData: Buffer, outData: Buffer): Buffer;
  C_SignAsync(session: Handle, inData: Buffer, outData: Buffer): Promise<Buffer>;
}
interface Pkcs11Addon {
  PKCS11: new () => Pkcs11Module;
}

const CKO_CERTIFICATE = 0x1;
const CKO_PRIVATE_KEY = 0x3;
const CKA_CLASS = 0x0;
const CKA_LABEL = 0x3;
const CKA_VALUE = 0x11;
const CKA_ID = 0x102;
const CKA_KEY_TYPE = 0x100;
const CKA_SIGN = 0x108;
const CKK_RSA = 0x0;
const CKM_RSA_PKCS = 0x1;
const CKU_USER = 0x1;
const CKF_SERIAL_SESSION = 0x4;
const CKF_OS_LOCKING_OK = 0x2;
const CKR = {
  PIN_INCORRECT: 0xa0,
  PIN_LEN_RANGE: 0xa2,
  PIN_LOCKED: 0xa4,
  USER_ALREADY_LOGGED_IN: 0x100,
  USER_NOT_LOGGED_IN: 0x101,
  SESSION_CLOSED: 0xb0,
  SESSION_HANDLE_INVALID: 0xb3,
  DEVICE_ERROR: 0x30,
  DEVICE_REMOVED: 0x32,
  TOKEN_NOT_PRESENT: 0xe0,
  CRYPTOKI_ALREADY_INITIALIZED: 0x191,
} as const;
/** Errors after which a fresh session (and login) may succeed: the token was reset, replugged or timed the session out. */
const SESSION_LOST: number[] = [CKR.SESSION_CLOSED, CKR.SESSION_HANDLE_INVALID, CKR.USER_NOT_LOGGED_IN, CKR.DEVICE_REMOVED, CKR.TOKEN_NOT_PRESENT, CKR.DEVICE_ERROR];

const codeOf = (error: unknown): number | undefined => (error as { code?: unknown }).code as number | undefined;

export interface Pkcs11SignerOptions {
  /** Path of the vendor's PKCS#11 library (e.g. /usr/lib/softhsm/libsofthsm2.so). */
  module: string;
  /** The token, by slot id (as `softhsm2-util --show-slots` or `pkcs11-tool -L` print it) … */
  slot?: number;
  /** … or by its label (trailing spaces ignored). One of the two is required. */
  tokenLabel?: string;
  /** User PIN of the token. */
  pin: string;
  /** CKA_LABEL of the seal's RSA private key. */
  keyLabel: string;
  /**
   * DER of the seal certificate when it is kept outside the token; otherwise the certificate
   * object with the key's CKA_ID (or, when the key has none, its label) is read from the token.
   */
  certificate?: Buffer;
  /** DER of the certificates above the seal (intermediates, issuing CA). */
  chain?: Buffer[];
}

/** Which setting a start-up failure is about, so the configuration layer can name the variable. */
export type Pkcs11Setting = 'module' | 'slot' | 'pin' | 'keyLabel' | 'certificate';

export class Pkcs11ConfigurationError extends SealError {
  constructor(
    readonly setting: Pkcs11Setting,
    message: string,
  ) {
    super(message);
    this.name = 'Pkcs11ConfigurationError';
  }
}

/** One loaded and initialised library per path and process: PKCS#11 allows one C_Initialize per library. */
const loadedModules = new Map<string, { module: Pkcs11Module; users: number }>();

function loadModule(path: string): Pkcs11Module {
  const loaded = loadedModules.get(path);
  if (loaded) {
    loaded.users++;
    return loaded.module;
  }
  let addon: Pkcs11Addon;
  try {
    // Optional dependency (a native addon): required here so a process that never uses PKCS#11 does not need it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    addon = require('pkcs11js') as Pkcs11Addon;
  } catch (error) {
    throw new Pkcs11ConfigurationError('module', `the pkcs11js package is not installed or was not built (${(error as Error).message.split('\n')[0]}); run npm install with a C++ compiler and python3 available`);
  }
  const module = new addon.PKCS11();
  try {
    module.load(path);
  } catch (error) {
    throw new Pkcs11ConfigurationError('module', `cannot load the PKCS#11 library ${path} (${(error as Error).message})`);
  }
  try {
    // OS locking: C_SignAsync runs the library on libuv's worker threads.
    module.C_Initialize({ flags: CKF_OS_LOCKING_OK });
  } catch (error) {
    if (codeOf(error) !== CKR.CRYPTOKI_ALREADY_INITIALIZED) {
      throw new Pkcs11ConfigurationError('module', `the PKCS#11 library ${path} failed to initialise (${(error as Error).message})`);
    }
  }
  loadedModules.set(path, { module, users: 1 });
  return module;
}

function releaseModule(path: string): void {
  const loaded = loadedModules.get(path);
  if (!loaded || --loaded.users > 0) return;
  loadedModules.delete(path);
  try {
    loaded.module.C_Finalize();
    loaded.module.close();
  } catch {
    // Best effort at shutdown: the process is going away.
  }
}

/** A slot handle as the number tools print (CK_SLOT_ID is an unsigned long). */
const slotIdOf = (handle: Handle): number => (handle.length >= 8 ? Number(handle.readBigUInt64LE(0)) : handle.readUInt32LE(0));

/**
 * The seal key in a PKCS#11 token (an HSM, a smart card, SoftHSM): the private key never
 * leaves the token; the token computes RSASSA-PKCS1-v1_5 (CKM_RSA_PKCS over the SHA-256
 * DigestInfo). One logged-in session, operations one at a time (a PKCS#11 session runs one
 * signing operation at a time); a session the token dropped is reopened once per signature.
 */
export class Pkcs11Signer implements SealKeySigner {
  readonly certificate: Buffer;
  readonly chain: Buffer[];
  readonly description: string;
  private readonly module: Pkcs11Module;
  private slot!: Handle;
  private session: Handle | null = null;
  private key!: Handle;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(private readonly options: Pkcs11SignerOptions) {
    this.module = loadModule(options.module);
    try {
      this.openSession();
      this.certificate = options.certificate ?? this.certificateOnToken();
      this.chain = options.chain ?? [];
      this.description = `PKCS#11 token "${this.tokenLabel()}" (slot ${slotIdOf(this.slot)}), key "${options.keyLabel}"`;
      this.checkKeyMatchesCertificate();
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /** Opens the token, logs in, finds the key and certificate, and proves with one signature that they belong together. */
  static open(options: Pkcs11SignerOptions): Pkcs11Signer {
    if (options.slot === undefined && !options.tokenLabel) throw new Pkcs11ConfigurationError('slot', 'name the token by slot id or by token label');
    return new Pkcs11Signer(options);
  }

  async sign(sha256Digest: Buffer): Promise<Buffer> {
    if (sha256Digest.length !== 32) throw new SealError('The seal signs SHA-256 digests (32 bytes) only');
    const job = this.queue.then(() => this.signNow(sha256Digest));
    this.queue = job.catch(() => undefined);
    return job;
  }

  /** Logs out and closes the session; the library is finalised when its last signer closes. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.closeSession();
    releaseModule(this.options.module);
  }

  private async signNow(sha256Digest: Buffer): Promise<Buffer> {
    if (this.closed) throw new SealError(`The seal signer (${this.description}) is closed`);
    const digestInfo = Buffer.concat([SHA256_DIGEST_INFO_PREFIX, sha256Digest]);
    for (let attempt = 1; ; attempt++) {
      try {
        if (!this.session) this.openSession();
        const session = this.session!;
        this.module.C_SignInit(session, { mechanism: CKM_RSA_PKCS }, this.key);
        return await this.module.C_SignAsync(session, digestInfo, Buffer.alloc(1024));
      } catch (error) {
        const code = codeOf(error);
        if (attempt === 1 && code !== undefined && SESSION_LOST.includes(code)) {
          this.closeSession();
          continue;
        }
        if (error instanceof SealError) throw error;
        throw new SealError(`The seal key in ${this.description} did not sign (${(error as Error).message})`);
      }
    }
  }

  private openSession(): void {
    this.slot = this.findSlot();
    const session = this.module.C_OpenSession(this.slot, CKF_SERIAL_SESSION);
    this.session = session;
    try {
      this.module.C_Login(session, CKU_USER, this.options.pin);
    } catch (error) {
      const code = codeOf(error);
      if (code === CKR.PIN_INCORRECT || code === CKR.PIN_LEN_RANGE) throw new Pkcs11ConfigurationError('pin', `the token "${this.tokenLabel()}" refused the PIN`);
      if (code === CKR.PIN_LOCKED) throw new Pkcs11ConfigurationError('pin', `the token "${this.tokenLabel()}" has locked its user PIN (too many wrong PINs); its security officer must unlock it`);
      if (code !== CKR.USER_ALREADY_LOGGED_IN) throw new Pkcs11ConfigurationError('pin', `login to the token "${this.tokenLabel()}" failed (${(error as Error).message})`);
    }
    this.key = this.findKey(session);
  }

  private closeSession(): void {
    const session = this.session;
    this.session = null;
    if (!session) return;
    try {
      // Closing the last session of the application on a token also logs it out (PKCS#11 §5.6).
      this.module.C_CloseSession(session);
    } catch {
      // The token may already have dropped it.
    }
  }

  private findSlot(): Handle {
    const slots = this.module.C_GetSlotList(true);
    const labelOf = (slot: Handle) => this.module.C_GetTokenInfo(slot).label.trimEnd();
    const { slot, tokenLabel } = this.options;
    const found = slots.filter((s) => (slot === undefined || slotIdOf(s) === slot) && (!tokenLabel || labelOf(s) === tokenLabel));
    if (found.length === 1) return found[0];
    const present = slots.map((s) => `slot ${slotIdOf(s)} "${labelOf(s)}"`).join(', ') || 'none';
    const wanted = [slot !== undefined ? `slot ${slot}` : '', tokenLabel ? `label "${tokenLabel}"` : ''].filter(Boolean).join(' and ');
    if (found.length === 0) throw new Pkcs11ConfigurationError('slot', `no token with ${wanted} in ${this.options.module} (tokens present: ${present})`);
    throw new Pkcs11ConfigurationError('slot', `${found.length} tokens have ${wanted}; name the token by slot id (tokens present: ${present})`);
  }

  private tokenLabel(): string {
    try {
      return this.module.C_GetTokenInfo(this.slot).label.trimEnd();
    } catch {
      return `slot ${slotIdOf(this.slot)}`;
    }
  }

  private findObjects(session: Handle, template: Attribute[]): Handle[] {
    this.module.C_FindObjectsInit(session, template);
    try {
      return this.module.C_FindObjects(session, 10);
    } finally {
      this.module.C_FindObjectsFinal(session);
    }
  }

  private findKey(session: Handle): Handle {
    const keys = this.findObjects(session, [{ type: CKA_CLASS, value: CKO_PRIVATE_KEY }, { type: CKA_LABEL, value: this.options.keyLabel }]);
    const where = `the token "${this.tokenLabel()}"`;
    if (keys.length === 0) throw new Pkcs11ConfigurationError('keyLabel', `no private key labelled "${this.options.keyLabel}" on ${where}`);
    if (keys.length > 1) throw new Pkcs11ConfigurationError('keyLabel', `${keys.length} private keys are labelled "${this.options.keyLabel}" on ${where}; give the seal key a label of its own`);
    const [type, canSign] = this.module.C_GetAttributeValue(session, keys[0], [{ type: CKA_KEY_TYPE }, { type: CKA_SIGN }]);
    if (Buffer.isBuffer(type.value) && type.value.readUInt32LE(0) !== CKK_RSA) {
      throw new Pkcs11ConfigurationError('keyLabel', `the key "${this.options.keyLabel}" on ${where} is not an RSA key (the seal signs with RSA)`);
    }
    if (Buffer.isBuffer(canSign.value) && canSign.value[0] === 0) {
      throw new Pkcs11ConfigurationError('keyLabel', `the key "${this.options.keyLabel}" on ${where} is not allowed to sign (CKA_SIGN is false)`);
    }
    return keys[0];
  }

  /** The certificate object that pairs with the key: same CKA_ID (the PKCS#11 convention), else same label. */
  private certificateOnToken(): Buffer {
    const session = this.session!;
    const [id] = this.module.C_GetAttributeValue(session, this.key, [{ type: CKA_ID }]);
    const byId = Buffer.isBuffer(id.value) && id.value.length > 0;
    const certificates = this.findObjects(session, [
      { type: CKA_CLASS, value: CKO_CERTIFICATE },
      byId ? { type: CKA_ID, value: id.value as Buffer } : { type: CKA_LABEL, value: this.options.keyLabel },
    ]);
    const how = byId ? `the key's id ${(id.value as Buffer).toString('hex')}` : `the label "${this.options.keyLabel}"`;
    if (certificates.length !== 1) {
      throw new Pkcs11ConfigurationError('certificate', `${certificates.length === 0 ? 'no certificate' : `${certificates.length} certificates`} with ${how} on the token "${this.tokenLabel()}"; store the seal certificate there or set SEAL_CERTIFICATE`);
    }
    const [value] = this.module.C_GetAttributeValue(session, certificates[0], [{ type: CKA_VALUE }]);
    return value.value as Buffer;
  }

  /** One signature at start-up, checked with the certificate's public key: a key/certificate mix-up stops the worker, not a seal. */
  private checkKeyMatchesCertificate(): void {
    let publicKey;
    try {
      publicKey = new X509Certificate(this.certificate).publicKey;
    } catch (error) {
      throw new Pkcs11ConfigurationError('certificate', `the seal certificate is not X.509 (${(error as Error).message})`);
    }
    const probe = randomBytes(32);
    const session = this.session!;
    this.module.C_SignInit(session, { mechanism: CKM_RSA_PKCS }, this.key);
    const signature = this.module.C_Sign(session, Buffer.concat([SHA256_DIGEST_INFO_PREFIX, createHash('sha256').update(probe).digest()]), Buffer.alloc(1024));
    if (!verify('sha256', probe, publicKey, signature)) {
      throw new Pkcs11ConfigurationError('certificate', `the seal certificate does not belong to the key "${this.options.keyLabel}" (a test signature did not verify with its public key)`);
    }
  }
}
