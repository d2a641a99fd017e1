import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * A Redis of this test's own, on a free port, that the test can stop and start again
 * (as `redis-cli shutdown nosave` would in production) without disturbing other tests.
 */
export class PrivateRedis {
  private process: ChildProcess | null = null;

  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.up();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    this.process = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      try {
        if (execFileSync('redis-cli', ['-p', String(this.port), 'ping'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() === 'PONG') return;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server did not start on port ${this.port}`);
  }

  /** Stops Redis losing everything it held, like a crash of a Redis without persistence. */
  async shutdownNoSave(): Promise<void> {
    const exited = new Promise((resolve) => this.process?.once('exit', resolve));
    execFileSync('redis-cli', ['-p', String(this.port), 'shutdown', 'nosave']);
    await exited;
    this.process = null;
  }

  async stop(): Promise<void> {
    if (this.process) await this.shutdownNoSave().catch(() => this.process?.kill('SIGKILL'));
  }
}
