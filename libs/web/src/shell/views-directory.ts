import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The page templates live in libs/web/views (not under src/, so the TypeScript build has
 * nothing to copy). From src/ (tests, ts-register) and from dist/ (built apps) alike, walk
 * up to the folder that holds libs/web/views.
 */
function findUp(relative: string): string {
  let dir = __dirname;
  for (;;) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`Cannot find ${relative} above ${__dirname}`);
    dir = parent;
  }
}

export const VIEWS_DIRECTORY = findUp('libs/web/views');
/** nhsuk-frontend's templates are imported as "nhsuk/components/…/macro.njk". */
export const NHSUK_DIST_DIRECTORY = join(dirname(require.resolve('nhsuk-frontend/package.json')), 'dist');
export const NHSUK_ASSETS_DIRECTORY = join(NHSUK_DIST_DIRECTORY, 'nhsuk', 'assets');
