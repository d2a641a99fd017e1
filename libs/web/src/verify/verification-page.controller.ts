import { Get, Header, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '@pcn/auth';
import { DocumentsException, DocumentsService, VerificationFacts } from '@pcn/documents';
import { PageController } from '../shell/page-controller.decorator';

const esc = (value: unknown) =>
  String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const when = (iso: string | Date | null | undefined) =>
  iso ? new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/London' }).format(new Date(iso)) + ' (UK time)' : 'Not yet';

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} – PCN Agreements</title>
<style>
body{margin:0;font-family:Arial,Helvetica,sans-serif;color:#212b32;background:#f0f4f5;line-height:1.5}
header{background:#005eb8;color:#fff;padding:16px 24px;font-weight:bold;font-size:19px}
main{max-width:960px;margin:0 auto;padding:24px}
h1{font-size:32px;margin:0 0 16px}
.panel{background:#fff;padding:24px;margin-bottom:24px;border-left:8px solid #007f3b}
.panel.bad{border-color:#d5281b}
dl{display:grid;grid-template-columns:max-content 1fr;gap:8px 24px}
dt{font-weight:bold}
dd{margin:0;word-break:break-all}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:8px 12px;border-bottom:1px solid #d8dde0;vertical-align:top}
code{font-family:"Courier New",monospace;font-size:14px}
</style>
</head>
<body><header>PCN Agreements · Document verification</header><main>${body}</main></body></html>`;
}

/** Public page behind the verification URL printed on every sealed document. */
@PageController('verify')
export class VerificationPageController {
  constructor(private readonly documents: DocumentsService) {}

  @Public()
  @Get(':reference')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async show(@Param('reference') reference: string, @Res({ passthrough: true }) res: Response): Promise<string> {
    let facts: VerificationFacts;
    try {
      if (!/^[A-Za-z0-9-]{5,80}$/.test(reference)) throw new Error('bad reference');
      facts = await this.documents.verifyReference(reference);
    } catch (error) {
      if (!(error instanceof DocumentsException) && (error as Error).message !== 'bad reference') throw error;
      res.status(404);
      return page('Not found', `<div class="panel bad"><h1>No such document</h1><p>There is no document sealed by this platform with the reference <code>${esc(reference)}</code>. Check the reference printed in the footer of your copy.</p></div>`);
    }
    const d = facts.document!;
    const a = facts.agreement!;
    const rows = (facts.approvals ?? [])
      .map((s) => `<tr><td>${esc(s.organisation)}<br><code>${esc(s.odsCode)}</code></td><td>${esc(s.person)}</td><td>${esc(s.capacity)}</td><td>${esc(s.step)}</td><td>${esc(when(s.approvedAt))}</td><td>${esc(s.authMethod)}</td></tr>`)
      .join('');
    return page(
      `Document ${d.reference}`,
      `<div class="panel"><h1>Sealed by this platform</h1>
<p>${esc(a.pcnName)} sealed <strong>${esc(d.title)}</strong> on ${esc(when(d.sealedAt))}. To check that your copy is this document, compare its SHA-256 with the one below, or upload it to <code>POST /api/v1/verify</code>.</p></div>
<dl>
<dt>Document reference</dt><dd>${esc(d.reference)}</dd>
<dt>Document SHA-256</dt><dd><code>${esc(d.sha256)}</code></dd>
<dt>Agreement</dt><dd>${esc(a.title)} (${esc(a.reference)}), status ${esc(a.status.toLowerCase())}</dd>
<dt>PCN</dt><dd>${esc(a.pcnName)}${a.pcnCode ? ` (${esc(a.pcnCode)})` : ''}</dd>
<dt>Executed</dt><dd>${esc(when(a.executedAt))}, revision ${esc(a.revisionNumber)}</dd>
<dt>Approved content SHA-256</dt><dd><code>${esc(a.contentHash)}</code></dd>
<dt>Seal certificate</dt><dd>${esc(d.sealCertificateSubject)}<br>SHA-256 <code>${esc(d.sealCertificateFingerprint)}</code></dd>
</dl>
<h2>Who approved it</h2>
<table><thead><tr><th>Organisation</th><th>Person</th><th>Capacity</th><th>Step</th><th>Approved</th><th>Signed in with</th></tr></thead><tbody>${rows}</tbody></table>`,
    );
  }
}
