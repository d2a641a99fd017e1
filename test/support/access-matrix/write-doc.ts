import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOC_PATH, renderAccessMatrix } from './render';

/** Regenerates docs/access-matrix.md from the matrix (the access-matrix test fails while they differ). */
writeFileSync(join(__dirname, '../../..', DOC_PATH), renderAccessMatrix());
console.log(`Wrote ${DOC_PATH}`);
