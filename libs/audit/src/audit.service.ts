import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Principal } from '@pcn/auth';
import { ActorContext, canonicalJson } from '@pcn/common';
import { queryPrepared } from '@pcn/database';
import { AUDIT_PAGE_SIZE, ChainVerification, hashAuditEvent, iterateAuditEvents, verifyAuditChain } from './audit-chain';
import { auditCsvHeader, auditCsvRow, toCsv } from './audit-csv';
import { AuditEventEntity, GENESIS_HASH, PLATFORM_CHAIN } from './audit-event.entity';
import { AuditEventType } from './audit-event-type';
import { AuditErrorCode, AuditException } from './audit.exception';
import { auditEventForReader } from './personal-data';

/** What a caller records. The chain is the agreement's, or the platform's when there is none. */
export interface NewAuditEvent {
  type: AuditEventType;
  /** Who, from where (`@Actor()` in controllers; `SYSTEM_ACTOR` in jobs). */
  actor: ActorContext;
  /** The actor's display name at the time of the event. */
  actorName?: string | null;
  /** The organisation the actor acted for (e.g. the signing practice). */
  organisationId?: string | null;
  agreementId?: string | null;
  roundId?: string | null;
  /** SHA-256 (hex) of the revision content the event is about. */
  revisionHash?: string | null;
  /** Event-specific detail; JSON-serialisable, ids and short facts, no document bodies. */
  payload?: Record<string, unknown>;
}

/** The actor of events the platform causes itself (jobs, sweepers, expiry). */
export const SYSTEM_ACTOR: ActorContext = Object.freeze({ userId: null, ip: null, userAgent: null, authMethod: 'system' });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SHA256 = /^[0-9a-f]{64}$/i;
const EVENT_TYPES = new Set<string>(Object.values(AuditEventType));

/** The chain an agreement's events belong to (`'platform'` when there is no agreement). */
export function auditChainKey(agreementId: string | null | undefined): string {
  return agreementId ? agreementId.toLowerCase() : PLATFORM_CHAIN;
}

/** The last event of a chain: what the next one links to. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** What a chain's advisory-lock key is made from: this prefix and the chain key (every lock statement below uses it). */
const CHAIN_LOCK_PREFIX = 'audit_event:';

type NormalisedEvent = Omit<AuditEventEntity, 'id' | 'seq' | 'prevHash' | 'hash'>;

/** Every stored column but the identity, with its property and the type its values are sent as (the order of the INSERT's values). */
const INSERT_COLUMNS: [string, keyof AuditEventEntity, string][] = [
  ['chain_key', 'chainKey', 'text'],
  ['seq', 'seq', 'int'],
  ['type', 'type', 'text'],
  ['occurred_at', 'occurredAt', 'timestamptz'],
  ['agreement_id', 'agreementId', 'uuid'],
  ['round_id', 'roundId', 'uuid'],
  ['revision_hash', 'revisionHash', 'text'],
  ['actor_user_id', 'actorUserId', 'uuid'],
  ['actor_name', 'actorName', 'text'],
  ['organisation_id', 'organisationId', 'uuid'],
  ['ip', 'ip', 'text'],
  ['user_agent', 'userAgent', 'text'],
  ['auth_method', 'authMethod', 'text'],
  ['payload', 'payload', 'jsonb'],
  ['prev_hash', 'prevHash', 'text'],
  ['hash', 'hash', 'text'],
];

function invalid(field: string, message: string): AuditException {
  return new AuditException(AuditErrorCode.InvalidEvent, `Audit event not recorded: ${field} ${message}`, { [field]: [message] });
}

/** uuid columns come back lower-case; hash what the database will give back. */
function uuidOrNull(field: string, value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (!UUID.test(value)) throw invalid(field, 'must be a UUID');
  return value.toLowerCase();
}

function textOrNull(value: string | null | undefined): string | null {
  return value === null || value === undefined ? null : value;
}

/**
 * Fits free text into its column (counted in characters, as PostgreSQL does) and drops NUL,
 * which PostgreSQL text refuses: an over-long user agent must never fail the business change.
 */
function clip(value: string | null | undefined, max: number): string | null {
  if (value === null || value === undefined) return null;
  const chars = Array.from(value.replace(/\u0000/g, ''));
  return chars.length > max ? chars.slice(0, max).join('') : chars.join('');
}

@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Appends an event to its chain inside the caller's transaction, so it commits or rolls
   * back with the business change. Writers of one chain queue on a transaction-scoped
   * advisory lock, which also makes a rolled-back event leave no gap. Given an
   * EntityManager outside a transaction, it opens one of its own.
   *
   * Call it from READ COMMITTED transactions (the default): under REPEATABLE READ a
   * snapshot taken before the lock could miss the previous event.
   */
  async record(em: EntityManager, event: NewAuditEvent): Promise<AuditEventEntity> {
    const [entity] = await this.recordMany(em, [event]);
    return entity;
  }

  /**
   * Appends events in order, as `record` does one, in three round trips however many there
   * are: the chain locks, the heads, one INSERT. They may belong to several chains (the
   * notifications worker records a batch of emails about different agreements at once): the
   * locks are then taken in one statement, in chain-key order, so two such writers cannot
   * deadlock (every other writer holds one chain lock at a time).
   */
  async recordMany(em: EntityManager, events: NewAuditEvent[]): Promise<AuditEventEntity[]> {
    if (events.length === 0) return [];
    if (!em.queryRunner?.isTransactionActive) return em.transaction((tx) => this.recordMany(tx, events));
    const fields = events.map((event) => this.normalise(event));
    const chainKeys = [...new Set(fields.map((f) => f.chainKey))];
    // One chain (every caller but the notifications worker): the plain lock and head statements.
    if (chainKeys.length === 1) {
      await this.lockChainKey(em, chainKeys[0]);
      const [last] = await queryPrepared<ChainHead>(em, `SELECT seq, hash FROM audit_event WHERE chain_key = $1 ORDER BY seq DESC LIMIT 1`, chainKeys);
      return this.insertChained(em, fields, () => last ?? null);
    }
    // The heads are read by a later statement than the one that waited for the locks: its snapshot sees every earlier append.
    await queryPrepared(
      em,
      `SELECT count(*) FROM (SELECT pg_advisory_xact_lock(hashtextextended('${CHAIN_LOCK_PREFIX}' || k, 0)) FROM (SELECT k FROM unnest($1::text[]) AS k ORDER BY k) AS ordered) AS locked`,
      [chainKeys],
    );
    const rows = await queryPrepared<{ chain_key: string; seq: number | null; hash: string | null }>(
      em,
      `SELECT k AS chain_key, h.seq, h.hash FROM unnest($1::text[]) AS k
         LEFT JOIN LATERAL (SELECT seq, hash FROM audit_event WHERE chain_key = k ORDER BY seq DESC LIMIT 1) AS h ON true`,
      [chainKeys],
    );
    const heads = new Map(rows.map((r) => [r.chain_key, r.seq === null || r.hash === null ? null : { seq: r.seq, hash: r.hash }]));
    return this.insertChained(em, fields, (chainKey) => heads.get(chainKey) ?? null);
  }

  /**
   * Takes the append lock of an agreement's chain now, in the caller's transaction, before it
   * changes rows that a holder of this lock may also change. Lock order is what matters: the
   * approval path locks the round, then the chain, then updates requests; a path that
   * updates a request without the round lock (recording a view) must take the chain lock
   * before its update, or the two can deadlock.
   */
  lockChain(em: EntityManager, agreementId: string): Promise<void> {
    return this.lockChainKey(em, auditChainKey(agreementId));
  }

  private async lockChainKey(em: EntityManager, chainKey: string): Promise<void> {
    if (!em.queryRunner?.isTransactionActive) throw new Error('an audit chain lock is held until commit: take it inside a transaction');
    await queryPrepared(em, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`${CHAIN_LOCK_PREFIX}${chainKey}`]);
  }

  /**
   * The chain lock of an agreement's chain as a SQL expression over `agreementIdSql` (a uuid
   * expression), for a caller that folds it into a statement it sends anyway: the same lock
   * `record` takes, so writers of one chain still queue. The approval path uses it, with
   * `chainHeadSql` and `appendAfterHead`, to record its events in two round trips, not three
   * per event.
   */
  static chainLockSql(agreementIdSql: string): string {
    return `pg_advisory_xact_lock(hashtextextended('${CHAIN_LOCK_PREFIX}' || (${agreementIdSql})::text, 0))`;
  }

  /**
   * Two scalar sub-selects giving the chain head as columns `head_seq` and `head_hash` (NULL
   * for an empty chain). Only correct in a statement that starts after this transaction took
   * the chain lock: a statement's snapshot is taken when it starts.
   */
  static chainHeadSql(agreementIdSql: string): string {
    const head = (column: string) => `(SELECT ${column} FROM audit_event WHERE chain_key = (${agreementIdSql})::text ORDER BY seq DESC LIMIT 1)`;
    return `${head('seq')} AS head_seq, ${head('hash')} AS head_hash`;
  }

  /**
   * Appends events to one agreement's chain after `head`, in one INSERT. The caller holds the
   * chain lock (`chainLockSql`) and read `head` (`chainHeadSql`) in a later statement of the
   * same transaction.
   */
  async appendAfterHead(em: EntityManager, events: NewAuditEvent[], head: ChainHead | null): Promise<AuditEventEntity[]> {
    if (!em.queryRunner?.isTransactionActive) throw new Error('appendAfterHead needs the transaction that holds the chain lock');
    if (events.length === 0) return [];
    const fields = events.map((event) => this.normalise(event));
    if (fields.some((f) => f.chainKey !== fields[0].chainKey)) throw new Error('appendAfterHead appends to one chain at a time');
    return this.insertChained(em, fields, () => head);
  }

  /**
   * Numbers, links and hashes each chain's events after its head, then inserts them all in one
   * statement (no entity mapping on this hot path). The values go as one array per column, so
   * the statement is the same for any number of events: one prepared statement per connection.
   */
  private async insertChained(em: EntityManager, list: NormalisedEvent[], headOf: (chainKey: string) => ChainHead | null): Promise<AuditEventEntity[]> {
    const previous = new Map<string, ChainHead | null>();
    const entities = list.map((fields) => {
      const head = previous.has(fields.chainKey) ? previous.get(fields.chainKey)! : headOf(fields.chainKey);
      const entity = Object.assign(new AuditEventEntity(), fields, { seq: head ? head.seq + 1 : 1, prevHash: head ? head.hash : GENESIS_HASH });
      entity.hash = hashAuditEvent(entity);
      previous.set(fields.chainKey, { seq: entity.seq, hash: entity.hash });
      return entity;
    });
    const columns = INSERT_COLUMNS.map(([, property, type]) => ({ type, values: entities.map((e) => (property === 'payload' ? JSON.stringify(e.payload) : e[property])) }));
    const rows = await queryPrepared<{ id: string }>(
      em,
      `INSERT INTO audit_event (${INSERT_COLUMNS.map(([column]) => column).join(', ')})
       SELECT * FROM unnest(${columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ')}) RETURNING id`,
      columns.map((c) => c.values),
    );
    rows.forEach((row, i) => (entities[i].id = String(row.id)));
    return entities;
  }

  /** One page of an agreement's trail in seq order (at most 1000 events); page on with `afterSeq`. */
  async list(agreementId: string, page: { afterSeq?: number; limit?: number } = {}): Promise<AuditEventEntity[]> {
    const limit = Math.min(Math.max(page.limit ?? AUDIT_PAGE_SIZE, 1), AUDIT_PAGE_SIZE);
    const qb = this.dataSource.manager
      .getRepository(AuditEventEntity)
      .createQueryBuilder('e')
      .where('e.chainKey = :chainKey', { chainKey: auditChainKey(agreementId) });
    if (page.afterSeq !== undefined) qb.andWhere('e.seq > :afterSeq', { afterSeq: page.afterSeq });
    return qb.orderBy('e.seq', 'ASC').limit(limit).getMany();
  }

  /** The whole trail of one chain, a page at a time (pass an agreement id, or `'platform'`). */
  iterate(chainKey: string, em: EntityManager = this.dataSource.manager): AsyncGenerator<AuditEventEntity[]> {
    return iterateAuditEvents(em, chainKey === PLATFORM_CHAIN ? chainKey : auditChainKey(chainKey));
  }

  /** CSV of a small list of events: header row plus one row per event. */
  toCsv(events: Iterable<AuditEventEntity>): string {
    return toCsv(events);
  }

  /** The trail of one agreement as CSV chunks (header, then one chunk per page), for streaming responses. */
  async *streamCsv(agreementId: string): AsyncGenerator<string> {
    yield auditCsvHeader();
    for await (const page of this.iterate(agreementId)) yield page.map(auditCsvRow).join('');
  }

  /**
   * An agreement's trail as this reader may see it (signers' email, IP address and user agent
   * only for the PCN's clinical director, the person themselves and auditors). The caller has
   * checked that the reader may read the agreement; `pcnId` is the agreement's PCN.
   */
  async trailForReader(principal: Principal, agreement: { id: string; pcnId: string }, page: { afterSeq?: number; limit?: number } = {}): Promise<AuditEventEntity[]> {
    return (await this.list(agreement.id, page)).map((event) => auditEventForReader(principal, agreement.pcnId, event));
  }

  /** The same trail as CSV chunks (header, then one chunk per page), with the same personal-data rule. */
  async *csvForReader(principal: Principal, agreement: { id: string; pcnId: string }): AsyncGenerator<string> {
    yield auditCsvHeader();
    for await (const page of this.iterate(agreement.id)) yield page.map((event) => auditCsvRow(auditEventForReader(principal, agreement.pcnId, event))).join('');
  }

  /** When each value of `payload[field]` first appeared in an event of this type on the agreement's chain (e.g. when each request was sent). */
  async firstOccurrences(agreementId: string, type: AuditEventType, field: string): Promise<Map<string, Date>> {
    const rows: { key: string; at: Date }[] = await this.dataSource.query(
      `SELECT payload->>$3 AS key, min(occurred_at) AS at FROM audit_event WHERE chain_key = $1 AND type = $2 AND payload ? $3 GROUP BY 1`,
      [auditChainKey(agreementId), type, field],
    );
    return new Map(rows.map((r) => [r.key, new Date(r.at)]));
  }

  /** Recomputes every hash of one chain (an agreement id or `'platform'`), or of all chains. */
  verifyChain(chainKey?: string): Promise<ChainVerification> {
    const key = chainKey === undefined || chainKey === PLATFORM_CHAIN ? chainKey : auditChainKey(chainKey);
    return verifyAuditChain(this.dataSource.manager, key);
  }

  private normalise(event: NewAuditEvent): NormalisedEvent {
    if (!EVENT_TYPES.has(event.type)) throw invalid('type', `"${event.type}" is not an AuditEventType`);
    if (!event.actor) throw invalid('actor', 'is required (use SYSTEM_ACTOR for the platform itself)');
    const revisionHash = textOrNull(event.revisionHash);
    if (revisionHash !== null && !SHA256.test(revisionHash)) throw invalid('revisionHash', 'must be 64 hex digits');
    const raw = event.payload ?? {};
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid('payload', 'must be a JSON object');
    let payload: Record<string, unknown>;
    try {
      // Through canonical JSON and back: what is stored (jsonb) and what is hashed are the same plain value.
      payload = JSON.parse(canonicalJson(raw)) as Record<string, unknown>;
    } catch (error) {
      throw invalid('payload', (error as Error).message);
    }
    const agreementId = uuidOrNull('agreementId', event.agreementId);
    return {
      chainKey: auditChainKey(agreementId),
      type: event.type,
      // Millisecond precision, so the timestamptz round trip gives back exactly this instant.
      occurredAt: new Date(Date.now()),
      agreementId,
      roundId: uuidOrNull('roundId', event.roundId),
      revisionHash: revisionHash?.toLowerCase() ?? null,
      actorUserId: uuidOrNull('actor.userId', event.actor.userId),
      actorName: clip(event.actorName, 200),
      organisationId: uuidOrNull('organisationId', event.organisationId),
      ip: clip(event.actor.ip, 64),
      userAgent: clip(event.actor.userAgent, 500),
      authMethod: clip(event.actor.authMethod, 40),
      payload,
    };
  }
}
