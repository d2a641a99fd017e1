/** Where tests find the machine's services; CI and developers can point elsewhere. */
export const ADMIN_DATABASE_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Each Jest run migrates its own template (named after the run's pid), so parallel runs never collide. */
export function templateDatabase(): string {
  return process.env.TEST_TEMPLATE_DATABASE ?? `pcn_test_template_${process.pid}`;
}

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** True while a process with this pid runs (so its databases are not leftovers). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
