import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import type { S3StoreSettings } from '../../libs/documents/src/storage/s3-document-store';

/** s3rver's fixed credentials: it checks every request's SigV4 signature against them. */
const ACCESS_KEY = 'S3RVER';

export interface S3TestServer {
  endpoint: string;
  bucket: string;
  /** Where s3rver keeps the bucket's objects, one folder per bucket. */
  directory: string;
  /** The store's settings for this server (path-style, s3rver's credentials, a prefix). */
  settings(prefix?: string): S3StoreSettings;
  /** DOCUMENT_STORE=s3 and S3_* for the API and worker under test. */
  env(prefix?: string): Record<string, string>;
  /** Stops answering: connections to the port are refused until `start()`. */
  stop(): Promise<void>;
  /** Answers again on the same port, with the same objects. */
  start(): Promise<void>;
  /** Stops and removes its folder. */
  close(): Promise<void>;
}

/** A real local S3 server (s3rver) on a free port over a temporary folder, with one bucket. */
export async function startS3TestServer(bucket = 'pcn-sealed'): Promise<S3TestServer> {
  const directory = mkdtempSync(join(tmpdir(), 'pcn-s3-'));
  let port = 0;
  let server: S3rver | null = null;
  const start = async () => {
    server = new S3rver({ address: '127.0.0.1', port, silent: true, directory, configureBuckets: [{ name: bucket }] });
    port = (await server.run()).port;
  };
  const stop = async () => {
    await server?.close();
    server = null;
  };
  await start();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    directory,
    settings: (prefix = '') => ({ endpoint, region: 'us-east-1', bucket, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: ACCESS_KEY }, forcePathStyle: true, prefix }),
    env: (prefix = '') => ({
      DOCUMENT_STORE: 's3',
      S3_ENDPOINT: endpoint,
      S3_REGION: 'us-east-1',
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: ACCESS_KEY,
      S3_SECRET_ACCESS_KEY: ACCESS_KEY,
      S3_FORCE_PATH_STYLE: 'true',
      S3_PREFIX: prefix,
    }),
    stop,
    start,
    close: async () => {
      await stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
