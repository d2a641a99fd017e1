// Preload for the approval benchmark's *capture* API process only:
//   BENCH_PG_CAPTURE=/tmp/x.jsonl node -r ./scripts/ts-register.js -r ./bench/workflow/pg-capture.js apps/api/src/main.ts
// Appends every statement node-postgres sends (text + parameters, as pg serialises them)
// to the file, one JSON line each. The measured API process never loads this.
'use strict';
const file = process.env.BENCH_PG_CAPTURE;
if (file) {
  const fs = require('node:fs');
  const pg = require('pg');
  const { prepareValue } = require('pg/lib/utils');
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function capturedQuery(config, values, callback) {
    try {
      const text = typeof config === 'string' ? config : config && config.text;
      const params = config && typeof config === 'object' && Array.isArray(config.values) ? config.values : Array.isArray(values) ? values : [];
      if (text) {
        const prepared = params.map((v) => {
          const p = prepareValue(v);
          return Buffer.isBuffer(p) ? `\\x${p.toString('hex')}` : p;
        });
        fs.appendFileSync(file, `${JSON.stringify({ text, values: prepared })}\n`);
      }
    } catch {
      // capture is best effort; never break the query
    }
    return original.call(this, config, values, callback);
  };
}
