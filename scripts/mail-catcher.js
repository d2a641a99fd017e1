#!/usr/bin/env node
// A tiny SMTP sink for the demo: accepts every message (no login, no TLS) and prints one
// line per message — recipients, subject and the first link in it — so the workflow's
// emails show up in the demo terminal. Development only; nothing is stored or relayed.
//   MAIL_CATCHER_HOST=127.0.0.1 MAIL_CATCHER_PORT=1025 node scripts/mail-catcher.js
'use strict';
const { SMTPServer } = require('smtp-server');
const { simpleParser } = require('mailparser');

const host = process.env.MAIL_CATCHER_HOST || '127.0.0.1';
const port = Number(process.env.MAIL_CATCHER_PORT || 1025);

function recipients(mail, session) {
  const header = [mail.to, mail.cc]
    .flatMap((a) => (Array.isArray(a) ? a : a ? [a] : []))
    .flatMap((a) => a.value.map((v) => v.address));
  // Envelope recipients include Bcc; fall back to them if the headers name nobody.
  return (header.length > 0 ? header : session.envelope.rcptTo.map((r) => r.address)).join(', ');
}

const server = new SMTPServer({
  name: 'demo-mail-catcher',
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  banner: 'demo mail catcher: accepts everything, delivers nothing',
  size: 25 * 1024 * 1024,
  logger: false,
  onData(stream, session, callback) {
    simpleParser(stream)
      .then((mail) => {
        const link = /https?:\/\/[^\s<>"')]+/.exec(mail.text || '');
        const parts = [`to ${recipients(mail, session)}`, `"${mail.subject || '(no subject)'}"`];
        if (link) parts.push(link[0]);
        console.log(`email: ${parts.join(' | ')}`);
        callback();
      })
      .catch((err) => {
        console.error(`could not read a message: ${err.message}`);
        callback();
      });
  },
});

server.on('error', (err) => {
  console.error(`mail catcher: ${err.message}`);
  if (err.code === 'EADDRINUSE') process.exit(1);
});

server.listen(port, host, () => console.log(`mail catcher listening on smtp://${host}:${port}`));

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    // Pooled SMTP clients keep connections open; do not wait for them.
    setTimeout(() => process.exit(0), 500).unref();
    server.close(() => process.exit(0));
  });
}
