import { join } from 'node:path';
import { runTool } from '../../testing/pdf-tools';

/**
 * An NSS database in `dir` that trusts the given CA certificates, for `pdfsig -nssdir`.
 * pdfsig checks the seal for e-mail/document signing: the CA needs the email trust flag too.
 */
export function nssDatabase(dir: string, caPems: string[]): string {
  const db = join(dir, 'nss');
  runTool('mkdir', ['-p', db]);
  runTool('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']);
  caPems.forEach((pem, i) => runTool('certutil', ['-A', '-d', `sql:${db}`, '-n', `ca${i}`, '-t', 'C,C,C', '-i', pem]));
  return `sql:${db}`;
}
