// Require hook: compiles TypeScript on the fly with @swc/core and maps the `@pcn/*`
// path aliases, so scripts, benches and Jest's global setup run without a build:
//   node -r ./scripts/ts-register.js bench/pdf/render-seal.bench.js
'use strict';
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '..');
// The one place for compiler settings is .swcrc (shared with Jest).
const swcOptions = JSON.parse(fs.readFileSync(path.join(root, '.swcrc'), 'utf8'));
delete swcOptions.$schema;

const originalResolve = Module._resolveFilename;
Module._resolveFilename = function resolve(request, parent, ...rest) {
  if (request.startsWith('@pcn/')) {
    const [, lib, ...sub] = request.split('/');
    const target = lib === 'testing' ? path.join(root, 'test/support', ...sub) : path.join(root, 'libs', lib, 'src', ...sub);
    return originalResolve.call(this, target, parent, ...rest);
  }
  return originalResolve.call(this, request, parent, ...rest);
};

require.extensions['.ts'] = function compile(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = transformSync(source, { ...swcOptions, filename });
  module._compile(code, filename);
};
