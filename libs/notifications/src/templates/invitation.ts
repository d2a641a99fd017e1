import { escapeHtml } from './format';

export interface InvitationEmailModel {
  recipientName: string;
  invitedByName: string | null;
  /** What they will do, in words, e.g. "Practice manager at Yarm Medical Practice (A81001)". */
  roleWords: string[];
  link: string;
  expiresAt: Date;
}

const londonTime = (d: Date) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'long', year: 'numeric', hour: 'numeric', minute: '2-digit', hour12: true }).format(d);

/**
 * The invitation email: plain text and a simple HTML copy with one link that works once. The
 * link says "set up your account", not "set your password": the page behind it offers CIS2,
 * a password or both, as the API is configured, and the worker that sends this does not know which.
 */
export function renderInvitationEmail(model: InvitationEmailModel): { subject: string; text: string; html: string } {
  const subject = 'You have been invited to PCN Agreements';
  const by = model.invitedByName ? `${model.invitedByName} has invited you` : 'You have been invited';
  const until = londonTime(model.expiresAt);
  const lines = [
    `Dear ${model.recipientName},`,
    '',
    `${by} to PCN Agreements, where Primary Care Networks draft, approve and sign their Network Agreements.`,
    '',
    'You will be able to act as:',
    ...model.roleWords.map((w) => `  - ${w}`),
    '',
    `Set up your account here (the link works once, until ${until}):`,
    model.link,
    '',
    'If you were not expecting this email, you can ignore it: nothing happens until the link is used.',
  ];
  const html = [
    `<p>Dear ${escapeHtml(model.recipientName)},</p>`,
    `<p>${escapeHtml(by)} to PCN Agreements, where Primary Care Networks draft, approve and sign their Network Agreements.</p>`,
    `<p>You will be able to act as:</p><ul>${model.roleWords.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>`,
    `<p><a href="${escapeHtml(model.link)}">Set up your account</a> (the link works once, until ${escapeHtml(until)}).</p>`,
    '<p>If you were not expecting this email, you can ignore it: nothing happens until the link is used.</p>',
  ].join('\n');
  return { subject, text: lines.join('\n'), html };
}
