// Child processes, resource sampling and teardown for the national drill.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

// /proc reports CPU time in USER_HZ, which the kernel fixes at 100 for user space on Linux.
const TICKS_PER_SECOND = 100;

/** CPU seconds and resident set (bytes) of one process, from /proc; null once it is gone. */
function readProc(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => Number((status.match(new RegExp(`^${name}:\\s+(\\d+)`, 'm')) || [])[1] || 0);
    return { cpu: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND, rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 };
  } catch {
    return null;
  }
}

/** PostgreSQL backends of one database (by their process title). */
function postgresBackends(dbName) {
  const pids = [];
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(` ${dbName} `)) pids.push(pid);
    } catch {
      // exited
    }
  }
  return pids;
}

/**
 * The drill's processes: started from source through scripts/ts-register.js, logs in the
 * run directory, stopped with SIGTERM (SIGKILL after 8 s, or 60 s when writing CPU profiles) by `stopAll`.
 */
class ProcessGroup {
  /**
   * `cpuProfileDir`: each child writes a V8 CPU profile (.cpuprofile) to `<dir>/<name>/` when it exits.
   * `memoryProbeDir`: each child appends its memory (RSS, V8 heap, external, array buffers) every
   * 500 ms to `<dir>/<name>.jsonl` (bench/pdf/memory-probe.js), to see what its RSS is made of.
   */
  constructor(root, runDir, log, cpuProfileDir = null, memoryProbeDir = null) {
    Object.assign(this, { root, runDir, log, cpuProfileDir, memoryProbeDir, procs: new Map(), expectedExit: new Set(), exits: [] });
    if (memoryProbeDir) fs.mkdirSync(memoryProbeDir, { recursive: true });
  }

  /** `nice`: the process's CPU weight when the cores are contended (0 is the default weight). */
  start(name, script, env, nice = 0) {
    const logFile = path.join(this.runDir, `${name}.log`);
    const profile = this.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(this.cpuProfileDir, name)}`] : [];
    const probe = this.memoryProbeDir ? ['-r', path.join(__dirname, '../pdf/memory-probe.js')] : [];
    if (this.memoryProbeDir) env = { ...env, MEMORY_PROBE_FILE: path.join(this.memoryProbeDir, `${name}.jsonl`) };
    const child = spawn(process.execPath, [...profile, ...probe, '-r', './scripts/ts-register.js', script], { cwd: this.root, env, stdio: ['ignore', fs.openSync(logFile, 'a'), fs.openSync(logFile, 'a')] });
    // Set before the child has loaded anything, and inherited by every thread it starts later.
    if (nice !== 0) os.setPriority(child.pid, nice);
    this.procs.set(name, child);
    child.on('exit', (code, signal) => {
      if (this.expectedExit.has(name)) return;
      this.exits.push(`${name} (${signal || `exit ${code}`})`);
      this.log(`${name} stopped on its own (${signal || `exit ${code}`}); log ${logFile}`);
    });
    return child;
  }

  /** The processes that exited before `stopAll`: with two of a kind, the other hides the loss. */
  unexpectedExits() {
    return [...this.exits];
  }

  async waitForHealth(name, port, ms = 120_000) {
    const until = Date.now() + ms;
    for (;;) {
      if (this.procs.get(name).exitCode !== null) throw new Error(`${name} exited while starting; see ${path.join(this.runDir, `${name}.log`)}`);
      const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.status === 200, () => false);
      if (ok) return;
      if (Date.now() > until) throw new Error(`${name} not healthy after ${ms} ms`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async stopAll() {
    await Promise.all(
      [...this.procs].map(([name, child]) => {
        this.expectedExit.add(name);
        if (child.exitCode !== null || child.signalCode !== null) return undefined;
        return new Promise((resolve) => {
          // Writing a CPU profile of a long run takes a while after SIGTERM.
          const killer = setTimeout(() => child.kill('SIGKILL'), this.cpuProfileDir ? 60_000 : 8000);
          child.once('exit', () => resolve(clearTimeout(killer)));
          child.kill('SIGTERM');
        });
      }),
    );
  }

  /**
   * Samples every child, this process and the database's backends each 500 ms: peak RSS per
   * child (VmHWM) and CPU seconds per group between `mark(phase)` calls.
   */
  sampler(dbName) {
    const cpuSeen = new Map(); // pid -> { group, first, last }
    const peak = new Map();
    const phases = [];
    const scan = () => {
      const groups = [...[...this.procs].map(([name, c]) => [name, c.pid]), ...postgresBackends(dbName).map((pid) => ['postgres (drill db)', pid])];
      for (const [group, pid] of groups) {
        const p = readProc(pid);
        if (!p) continue;
        const seen = cpuSeen.get(pid);
        if (seen) seen.last = p.cpu;
        else cpuSeen.set(pid, { group, first: group.startsWith('postgres') ? 0 : p.cpu, last: p.cpu });
        if (!group.startsWith('postgres')) peak.set(group, Math.max(peak.get(group) || 0, p.hwm, p.rss));
      }
      peak.set('drill (clients, SMTP test server)', Math.max(peak.get('drill (clients, SMTP test server)') || 0, process.memoryUsage().rss));
    };
    const totals = () => {
      const out = {};
      for (const e of cpuSeen.values()) out[e.group] = (out[e.group] || 0) + (e.last - e.first);
      const self = process.cpuUsage();
      out['drill (clients)'] = (self.user + self.system) / 1e6;
      return out;
    };
    const machine = () => {
      const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
      return { busy: (cpu.reduce((a, b) => a + b, 0) - cpu[3] - (cpu[4] || 0)) / TICKS_PER_SECOND, load: os.loadavg()[0] };
    };
    scan();
    let last = { at: Date.now(), cpu: totals(), machine: machine() };
    const timer = setInterval(scan, 500);
    return {
      mark(phase) {
        scan();
        const now = { at: Date.now(), cpu: totals(), machine: machine() };
        const cpu = Object.fromEntries(Object.keys(now.cpu).map((k) => [k, now.cpu[k] - (last.cpu[k] || 0)]));
        phases.push({ phase, seconds: (now.at - last.at) / 1000, cpu, machineBusy: now.machine.busy - last.machine.busy, load: now.machine.load });
        last = now;
      },
      stop() {
        clearInterval(timer);
        return { phases, peakRss: Object.fromEntries(peak) };
      },
    };
  }
}

module.exports = { ProcessGroup };
