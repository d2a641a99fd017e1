// Preload for `approvals.bench.js --profile`: over the IPC channel, 'profile:start' starts the
// V8 CPU profiler in this process and 'profile:stop' writes BENCH_CPU_PROFILE (.cpuprofile),
// so the profile covers only the measured window, not start-up. (Not a signal: Nest's
// enableShutdownHooks() treats SIGUSR2 as a shutdown signal.)
'use strict';
const file = process.env.BENCH_CPU_PROFILE;
if (file && process.send) {
  const fs = require('node:fs');
  const inspector = require('node:inspector');
  const session = new inspector.Session();
  session.connect();
  process.channel?.unref();
  process.on('message', (message) => {
    if (message === 'profile:start') {
      session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 500 }, () => session.post('Profiler.start')));
    } else if (message === 'profile:stop') {
      session.post('Profiler.stop', (err, result) => {
        if (!err) fs.writeFileSync(`${file}.tmp`, JSON.stringify(result.profile));
        fs.renameSync(`${file}.tmp`, file);
      });
    }
  });
}
