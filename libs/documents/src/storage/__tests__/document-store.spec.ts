import { DataSource } from 'typeorm';
import { ConfigurationError, loadTypedConfig } from '@pcn/common';
import { DocumentsEnv } from '../../documents.config';
import { ByteaDocumentStore, createDocumentStore } from '../document-store';

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
  it('keeps sealed PDFs in PostgreSQL (bytea) by default', () => {
    const config = load({});
    expect(config.DOCUMENT_STORE).toBe('bytea');
    expect(createDocumentStore(config, fakeDataSource({}).dataSource)).toBeInstanceOf(ByteaDocumentStore);
  });

  it.each(['s3', 'BYTEA', 'file'])('refuses DOCUMENT_STORE=%j at start-up, naming the variable', (value) => {
    expect(() => load({ DOCUMENT_STORE: value })).toThrow(
      new ConfigurationError('Invalid configuration: DOCUMENT_STORE: DOCUMENT_STORE must be bytea (sealed PDFs in PostgreSQL; no other store is implemented yet) (check its value)'),
    );
  });
});

describe('ByteaDocumentStore', () => {
  const pdf = Buffer.from('%PDF-1.7 sealed bytes %%EOF\n');

  it('reads a part whole, a range of it (inclusive offsets), several by id, or as a stream', async () => {
    const store = new ByteaDocumentStore(fakeDataSource({ a: pdf, b: Buffer.from('other') }).dataSource);
    expect(await store.get('a')).toEqual(pdf);
    expect((await store.get('a', { start: 1, end: 3 }))!.toString()).toBe('PDF');
    expect(await store.get('missing')).toBeNull();
    expect([...(await store.getMany(['a', 'missing', 'b'])).keys()].sort()).toEqual(['a', 'b']);
    const chunks: Buffer[] = [];
    for await (const chunk of (await store.stream('a'))!) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks)).toEqual(pdf);
    expect(await store.stream('missing')).toBeNull();
  });

  it('asks nothing for no ids', async () => {
    const { dataSource, queries } = fakeDataSource({});
    expect((await new ByteaDocumentStore(dataSource).getMany([])).size).toBe(0);
    expect(queries).toEqual([]);
  });
});
