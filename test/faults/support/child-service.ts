import { ChildProcess, spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Milliseconds from the signal to the exit. */
  ms: number;
}

/**
 * The API or the worker as a real process (`node -r ./scripts/ts-register.js <entry>`), so a
 * drill can kill it with SIGKILL or SIGTERM as an orchestrator would. Output goes to a log
 * file the drill prints when something fails.
 */
export class ChildService {
  private child: ChildProcess | null = null;
  private exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | null = null;
  private starts = 0;

  constructor(
    readonly name: string,
    private readonly entry: string,
    private readonly env: () => Record<string, string>,
    private readonly ready: () => Promise<boolean>,
    readonly logDir: string,
  ) {}

  get running(): boolean {
    return this.child !== null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** One log file per start, so a restarted process is judged by its own output. */
  get logFile(): string {
    return join(this.logDir, `${this.name}-${this.starts}.log`);
  }

  /** How many times the process has been started. */
  get startCount(): number {
    return this.starts;
  }

  /** Starts the process and waits until `ready` says so (or the process dies, or 90 s pass). */
  async start(): Promise<void> {
    if (this.child) throw new Error(`${this.name} is already running`);
    this.starts++;
    const log = openSync(this.logFile, 'a');
    const child = spawn(process.execPath, ['-r', './scripts/ts-register.js', this.entry], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...this.env() },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    this.child = child;
    this.exited = new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));
    void this.exited.then(() => {
      if (this.child === child) this.child = null;
    });
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (this.child !== child) throw new Error(`${this.name} exited while starting (start ${this.starts}); log: ${this.logFile}\n${this.tail()}`);
      if (await this.ready().catch(() => false)) return;
      if (Date.now() > deadline) throw new Error(`${this.name} not ready after 90 s; log: ${this.logFile}\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** SIGKILL: no clean-up at all, as in a crash or an OOM kill. */
  async kill9(): Promise<void> {
    await this.signal('SIGKILL', 10_000);
  }

  /** SIGTERM, as an orchestrator stopping the process; resolves with how it ended and how long it took. */
  async terminate(timeoutMs = 60_000): Promise<ExitInfo> {
    return this.signal('SIGTERM', timeoutMs);
  }

  private async signal(signal: NodeJS.Signals, timeoutMs: number): Promise<ExitInfo> {
    const child = this.child;
    if (!child || !this.exited) throw new Error(`${this.name} is not running`);
    const started = Date.now();
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const { code, signal: endedBy } = await this.exited;
    clearTimeout(timer);
    this.child = null;
    return { code, signal: endedBy, ms: Date.now() - started };
  }

  async stop(): Promise<void> {
    if (this.child) await this.signal('SIGKILL', 10_000).catch(() => undefined);
  }

  /** The last lines of the log, for failure messages. */
  tail(lines = 40): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}
