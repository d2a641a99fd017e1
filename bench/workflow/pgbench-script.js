// Turns the SQL one approval sent (captured by pg-capture.js in a separate API process)
// into a pgbench script. Per-approval values become pgbench variables; every other
// parameter stays a constant (passed with -D, because pgbench would read ":true" or ":00"
// inside an inlined literal as a variable). Used by approvals.bench.js.
'use strict';

/**
 * @param captured  [{ text, values }] in the order the API sent them, START TRANSACTION..COMMIT
 * @param ids       the values that identify the approval: requestId, roundId, agreementId, groupKey
 * @returns { script, constants, statements } — script text, -D constants, and a readable listing
 */
function buildPgbenchScript(captured, ids) {
  const byValue = new Map([
    [ids.requestId, ':req_id'],
    [ids.roundId, ':round_id'],
    [ids.agreementId, ':agreement_id'],
    [ids.groupKey, ':group_key'],
    [`audit_event:${ids.agreementId}`, ':chain_lock'],
  ]);
  const constants = {};
  let constantNo = 0;
  const lines = [
    '-- One approval, as the API sends it (captured from the real process; see bench/workflow/approvals.bench.js).',
    '-- Picks the next pending request of this client: n = base + client_id + nclients * k.',
    '\\set n :base + :client_id + :nclients * :k',
    '\\set k :k + 1',
    'SELECT req_id, round_id, agreement_id, group_key, chain_lock FROM bench_pgb_pending WHERE n = :n \\gset',
  ];
  const listing = [];
  let auditHeadSeen = false;
  // The chain head arrives as columns seq/hash (AuditService.record) or head_seq/head_hash (AuditService.chainHeadSql in a bigger statement).
  let head = { seq: 'seq', hash: 'hash' };
  for (const { text, values } of captured) {
    const isHeadColumns = /AS head_seq\b/.test(text);
    const isAuditHead = isHeadColumns || /FROM\s+"?audit_event"?\s+WHERE\s+"?chain_key"?\s*=\s*\$1\s+ORDER BY\s+"?seq"?\s+DESC\s+LIMIT 1/i.test(text);
    const isAuditInsert = /^INSERT INTO\s+"?audit_event"?/i.test(text);
    let seqIndex = -1;
    let prevHashIndex = -1;
    if (isAuditInsert) {
      const cols = (text.match(/\(([^)]*)\)\s*VALUES/i) || [])[1]?.split(',').map((c) => c.trim().replace(/"/g, '')) ?? [];
      // TypeORM writes DEFAULT for generated columns; parameters follow the other columns in order.
      const paramCols = [];
      const valuesPart = (text.match(/VALUES\s*\(([^)]*)\)/i) || [])[1]?.split(',').map((v) => v.trim()) ?? [];
      cols.forEach((c, i) => {
        const m = /^\$(\d+)$/.exec(valuesPart[i] ?? '');
        if (m) paramCols[Number(m[1]) - 1] = c;
      });
      seqIndex = paramCols.indexOf('seq');
      prevHashIndex = paramCols.indexOf('prev_hash');
    }
    const sql = text.replace(/\$(\d+)/g, (_, d) => {
      const i = Number(d) - 1;
      const v = values[i];
      if (v === null || v === undefined) return 'NULL';
      if (i === seqIndex) return ':next_seq';
      if (i === prevHashIndex) return `:${head.hash}`;
      if (byValue.has(v)) return byValue.get(v);
      // The approval path passes its request ids as a uuid[] (one id here), captured as pg serialises it: {"<uuid>"}.
      const oneElementArray = typeof v === 'string' ? /^\{"?([^",{}]+)"?\}$/.exec(v) : null;
      if (oneElementArray && byValue.has(oneElementArray[1])) return `ARRAY[${byValue.get(oneElementArray[1])}]`;
      const name = `c${++constantNo}`;
      constants[name] = String(v);
      return `:${name}`;
    });
    const oneLine = sql.replace(/\s+/g, ' ').trim();
    listing.push(oneLine.length > 160 ? `${oneLine.slice(0, 157)}...` : oneLine);
    if (isAuditHead) {
      if (isHeadColumns) head = { seq: 'head_seq', hash: 'head_hash' };
      // The head of this agreement's chain feeds the INSERT, as it does in AuditService.
      lines.push(`${oneLine} \\gset`, `\\set next_seq :${head.seq} + 1`);
      auditHeadSeen = true;
    } else {
      lines.push(`${oneLine};`);
    }
  }
  if (!auditHeadSeen) throw new Error('captured approval has no audit chain head query; the capture or the code changed');
  return { script: `${lines.join('\n')}\n`, constants, statements: listing };
}

module.exports = { buildPgbenchScript };
