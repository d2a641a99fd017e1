import { DataSource } from 'typeorm';
import { ConfigurationError, loadTypedConfig } from '@pcn/common';
import { DocumentsEnv } from '../../documents.config';
import { ByteaDocumentStore, createDocumentStore } from '../document-store';
import { S3DocumentStore, s3SettingsFromConfig } from '../s3-document-store';

const load = (env: Record<string, string>) => loadTypedConfig(DocumentsEnv, env);

/** A DataSource whose `query` answers from a map of document id → bytes, as PostgreSQL would. */
function fakeDataSource(stored: Record<string, Buffer>): { dataSource: DataSource; queries: string[] } {
  const queries: string[] = [];
  const query = async (sql: string, params: unknown[]) => {
    queries.push(sql);
    if (sql.includes('ANY(')) return (params[0] as string[]).filter((id) => stored[id]).map((id) => ({ id, bytes: stored[id] }));
    const bytes = stored[params[0] as string];
    if (!bytes) return [];
    // substring(bytes FROM start FOR length), 1-based, as in SQL.
    return [{ bytes: params.length === 3 ? bytes.subarray((params[1] as number) - 1, (params[1] as number) - 1 + (params[2] as number)) : bytes }];
  };
  return { dataSource: { query } as unknown as DataSource, queries };
}

describe('document store configuration', () => {
  it('keeps sealed PDFs in PostgreSQL (bytea) by default', async () => {
    const config = load({});
    expect(config.DOCUMENT_STORE).toBe('bytea');
    expect(await createDocumentStore(config, fakeDataSource({}).dataSource)).toBeInstanceOf(ByteaDocumentStore);
  });

  it.each(['S3', 'BYTEA', 'file'])('refuses DOCUMENT_STORE=%j at start-up, naming the variable', (value) => {
    expect(() => load({ DOCUMENT_STORE: value })).toThrow(
      new ConfigurationError('Invalid configuration: DOCUMENT_STORE: DOCUMENT_STORE must be bytea (sealed PDFs in PostgreSQL) or s3 (in an S3-compatible bucket, S3_* settings) (check its value)'),
    );
  });

  const s3 = { DOCUMENT_STORE: 's3', S3_REGION: 'eu-west-2', S3_BUCKET: 'pcn-sealed' };

  it('keeps them in a bucket with DOCUMENT_STORE=s3, a region and a bucket (credentials from the AWS chain when unset)', async () => {
    const config = load(s3);
    const store = await createDocumentStore(config, fakeDataSource({}).dataSource);
    expect(store).toBeInstanceOf(S3DocumentStore);
    expect((store as S3DocumentStore).objectKey('ab'.repeat(32))).toBe(`sealed/${'ab'.repeat(32)}.pdf`);
    expect(s3SettingsFromConfig(config)).toEqual({ endpoint: undefined, region: 'eu-west-2', bucket: 'pcn-sealed', credentials: undefined, forcePathStyle: false, prefix: '' });
    const minio = load({ ...s3, S3_ENDPOINT: 'http://minio.internal:9000', S3_FORCE_PATH_STYLE: 'true', S3_PREFIX: 'pcn-prod/', S3_ACCESS_KEY_ID: 'id', S3_SECRET_ACCESS_KEY: 'secret' });
    expect(s3SettingsFromConfig(minio)).toEqual({ endpoint: 'http://minio.internal:9000', region: 'eu-west-2', bucket: 'pcn-sealed', credentials: { accessKeyId: 'id', secretAccessKey: 'secret' }, forcePathStyle: true, prefix: 'pcn-prod/' });
    store.close();
  });

  it('asks for no S3 setting while DOCUMENT_STORE=bytea', () => {
    expect(load({ S3_BUCKET: '' }).DOCUMENT_STORE).toBe('bytea');
  });

  it.each([
    [{ S3_REGION: '' }, 'S3_REGION: S3_REGION must be set when DOCUMENT_STORE=s3 (e.g. eu-west-2; us-east-1 for most non-AWS servers) (it is not set)'],
    [{ S3_BUCKET: '' }, 'S3_BUCKET: S3_BUCKET must be set when DOCUMENT_STORE=s3, to an existing bucket name (3-63 lower-case letters, digits, dots, hyphens) (it is not set)'],
    [{ S3_BUCKET: 'Sealed_PDFs' }, 'S3_BUCKET: S3_BUCKET must be set when DOCUMENT_STORE=s3, to an existing bucket name (3-63 lower-case letters, digits, dots, hyphens) (check its value)'],
    [{ S3_ENDPOINT: 'minio:9000' }, 'S3_ENDPOINT: S3_ENDPOINT must be an http(s) URL such as https://minio.internal:9000 (check its value)'],
    [{ S3_SECRET_ACCESS_KEY: 'secret' }, 'S3_ACCESS_KEY_ID: S3_ACCESS_KEY_ID must be set when S3_SECRET_ACCESS_KEY is (or leave both unset to use the AWS default credentials) (it is not set)'],
    [{ S3_ACCESS_KEY_ID: 'id' }, 'S3_SECRET_ACCESS_KEY: S3_SECRET_ACCESS_KEY must be set when S3_ACCESS_KEY_ID is (or leave both unset to use the AWS default credentials) (it is not set)'],
    [{ S3_FORCE_PATH_STYLE: 'yes' }, 'S3_FORCE_PATH_STYLE: S3_FORCE_PATH_STYLE must be true or false (check its value)'],
    [{ S3_PREFIX: 'pcn-prod' }, "S3_PREFIX: S3_PREFIX must be empty or folder names each ending in / (e.g. pcn-prod/), of letters, digits and !_.*'()- (check its value)"],
  ])('refuses DOCUMENT_STORE=s3 with %j in one line naming the variable', (env, message) => {
    expect(() => load({ ...s3, ...env })).toThrow(new ConfigurationError(`Invalid configuration: ${message}`));
  });
});

describe('ByteaDocumentStore', () => {
  const pdf = Buffer.from('%PDF-1.7 sealed bytes %%EOF\n');

  it('reads a part whole, a range of it (inclusive offsets), or several by id', async () => {
    const store = new ByteaDocumentStore(fakeDataSource({ a: pdf, b: Buffer.from('other') }).dataSource);
    expect(await store.get('a')).toEqual(pdf);
    expect((await store.get('a', { start: 1, end: 3 }))!.toString()).toBe('PDF');
    expect(await store.get('missing')).toBeNull();
    expect([...(await store.getMany(['a', 'missing', 'b'])).keys()].sort()).toEqual(['a', 'b']);
  });

  it('asks nothing for no ids', async () => {
    const { dataSource, queries } = fakeDataSource({});
    expect((await new ByteaDocumentStore(dataSource).getMany([])).size).toBe(0);
    expect(queries).toEqual([]);
  });
});
