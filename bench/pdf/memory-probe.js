// Bench-only: logs this process's memory every 500 ms to $MEMORY_PROBE_FILE.
const fs = require('node:fs');
const v8 = require('node:v8');
const file = process.env.MEMORY_PROBE_FILE;
if (file) {
  setInterval(() => {
    const m = process.memoryUsage();
    const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, Math.round(s.space_size / 1048576)]));
    fs.appendFileSync(file, JSON.stringify({ t: Date.now(), rss: m.rss >> 20, heapTotal: m.heapTotal >> 20, heapUsed: m.heapUsed >> 20, external: m.external >> 20, arrayBuffers: m.arrayBuffers >> 20, spaces }) + '\n');
  }, 500).unref();
}
