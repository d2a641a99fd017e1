// Bench-only preload: the documents worker writes each execution's render request (what
// DocumentsGenerator.render is given: the agreement, its parts and the certificate's evidence) to
// $CAPTURE_RENDER_REQUESTS_DIR/<execution id>.json, then renders as usual. Used by
// `documents-worker.bench.js --capture DIR`; bench/pdf/certificate-cost.bench.js renders them again.
'use strict';
const dir = process.env.CAPTURE_RENDER_REQUESTS_DIR;
if (dir) {
  require('../../scripts/ts-register');
  const fs = require('node:fs');
  const path = require('node:path');
  // The same module the worker loads later (one cache entry per file), so the wrapper is the one it calls.
  const { DocumentsGenerator } = require('@pcn/documents/generation/documents-generator.service');
  const render = DocumentsGenerator.prototype.render;
  DocumentsGenerator.prototype.render = function captured(request) {
    fs.writeFileSync(path.join(dir, `${request.executionId}.json`), JSON.stringify(request));
    return render.call(this, request);
  };
}
