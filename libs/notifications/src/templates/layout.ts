import { escapeHtml, formatLondonDeadline } from './format';
import { NotificationModel, RenderedNotification } from './notification-model';

/** One bullet, with an optional list under it (e.g. the organisations a task is for). */
export interface ListItem {
  text: string;
  items?: string[];
}

/** A paragraph, or a bulleted list. */
export type Block = string | { list: ListItem[] };

/** What each message type says; the layout adds the greeting, the link, the details and the footer. */
export interface MessageContent {
  subject: string;
  heading: string;
  paragraphs: Block[];
  /** Quoted free text (a sender's message, a decline reason), shown as written. */
  quotes: { label: string; text: string }[];
  /** The button's words, e.g. "Review and sign". */
  action: string;
}

const COLOURS = { blue: '#005eb8', green: '#007f3b', text: '#212b32', secondary: '#4c6272', border: '#d8dde0', background: '#f0f4f5' };
const FONT = 'font-family:Arial,Helvetica,sans-serif;';

function detailRows(model: NotificationModel): [string, string][] {
  return [
    ['PCN', `${model.pcnName} (${model.pcnCode})`],
    ['Agreement', model.agreementTitle],
    ['Reference', model.agreementReference],
    ['Revision', String(model.revisionNumber)],
    ['Step', `${model.stepLabel} (step ${model.stepNumber})`],
    ['Due', model.dueAt ? formatLondonDeadline(model.dueAt) : 'No deadline has been set for this step.'],
  ];
}

const FOOTER = [
  'This email was sent automatically. Replies are not read. If you were not expecting it, contact your PCN.',
];

function renderText(model: NotificationModel, content: MessageContent): string {
  const lines: string[] = [`Dear ${model.recipientName},`, ''];
  for (const block of content.paragraphs) {
    if (typeof block === 'string') {
      lines.push(block, '');
      continue;
    }
    for (const item of block.list) {
      lines.push(`- ${item.text}`);
      for (const sub of item.items ?? []) lines.push(`    - ${sub}`);
    }
    lines.push('');
  }
  for (const quote of content.quotes) {
    lines.push(`${quote.label}:`);
    for (const line of quote.text.split(/\r?\n/)) lines.push(`  ${line}`);
    lines.push('');
  }
  lines.push(`${content.action}:`, model.reviewUrl, '', 'Details');
  for (const [label, value] of detailRows(model)) lines.push(`${label}: ${value}`);
  lines.push('', ...FOOTER.flatMap((line) => [line, '']));
  return lines.join('\n').trimEnd() + '\n';
}

function paragraph(text: string, style = ''): string {
  return `<p style="margin:0 0 16px;${style}">${escapeHtml(text)}</p>`;
}

function list(block: { list: ListItem[] }): string {
  const items = block.list
    .map((item) => {
      const sub = item.items?.length ? `<ul style="margin:8px 0 0;padding-left:24px;">${item.items.map((i) => `<li style="margin:0 0 4px;">${escapeHtml(i)}</li>`).join('')}</ul>` : '';
      return `<li style="margin:0 0 8px;">${escapeHtml(item.text)}${sub}</li>`;
    })
    .join('\n');
  return `<ul style="margin:0 0 16px;padding-left:24px;">\n${items}\n</ul>`;
}

function renderHtml(model: NotificationModel, content: MessageContent): string {
  const url = escapeHtml(model.reviewUrl);
  const quotes = content.quotes
    .map(
      (q) =>
        `<p style="margin:0 0 8px;font-weight:bold;">${escapeHtml(q.label)}:</p>` +
        `<div style="margin:0 0 16px;padding:8px 16px;border-left:4px solid ${COLOURS.secondary};background:${COLOURS.background};">` +
        `${escapeHtml(q.text).replace(/\r?\n/g, '<br>')}</div>`,
    )
    .join('\n');
  const rows = detailRows(model)
    .map(
      ([label, value]) =>
        `<tr><th scope="row" align="left" style="padding:8px 16px 8px 0;border-bottom:1px solid ${COLOURS.border};vertical-align:top;white-space:nowrap;">${escapeHtml(label)}</th>` +
        `<td style="padding:8px 0;border-bottom:1px solid ${COLOURS.border};vertical-align:top;">${escapeHtml(value)}</td></tr>`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(content.subject)}</title>
</head>
<body style="margin:0;padding:0;background:${COLOURS.background};">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:${COLOURS.background};">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;${FONT}font-size:16px;line-height:1.5;color:${COLOURS.text};">
<tr><td style="background:${COLOURS.blue};color:#ffffff;padding:16px 24px;font-size:18px;font-weight:bold;">${escapeHtml(model.pcnName)}</td></tr>
<tr><td style="padding:24px;">
<h1 style="margin:0 0 16px;font-size:24px;line-height:1.25;">${escapeHtml(content.heading)}</h1>
${paragraph(`Dear ${model.recipientName},`)}
${content.paragraphs.map((p) => (typeof p === 'string' ? paragraph(p) : list(p))).join('\n')}
${quotes}
<p style="margin:24px 0 16px;"><a href="${url}" style="display:inline-block;background:${COLOURS.green};color:#ffffff;padding:12px 20px;border-radius:4px;font-weight:bold;text-decoration:none;">${escapeHtml(content.action)}</a></p>
<p style="margin:0 0 24px;">If the button does not work, copy this link into your browser:<br><a href="${url}" style="color:${COLOURS.blue};word-break:break-all;">${url}</a></p>
<h2 style="margin:0 0 8px;font-size:19px;">Details</h2>
<table role="presentation" cellpadding="0" cellspacing="0" width="100%" style="margin:0 0 24px;border-collapse:collapse;${FONT}font-size:16px;">
${rows}
</table>
${FOOTER.map((line) => paragraph(line, `font-size:14px;color:${COLOURS.secondary};`)).join('\n')}
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;
}

export function renderLayout(model: NotificationModel, content: MessageContent): RenderedNotification {
  return { subject: content.subject, text: renderText(model, content), html: renderHtml(model, content) };
}
