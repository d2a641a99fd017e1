import { NotificationsErrorCode, NotificationsException } from '../notifications.exception';
import { formatLondonDate, formatLondonDeadline, NOTIFICATION_TYPES, NotificationType, renderNotification } from '../templates';
import { buildNotificationModel } from './notification.factory';

const EXTRAS = {
  declineReason: 'Clause 7 does not match what our partners agreed.',
  declinedBy: 'Dr Ben Okafor, Hillside Surgery',
  declinedPart: 'Annex A: Direct care data sharing',
  executedAt: '2026-12-05T10:15:00.000Z',
  delegatedBy: 'Dr Carys Evans',
  reminderNumber: 2,
};

describe('AGREEMENT_TERMINATED', () => {
  it('quotes the reason for termination, never the message the round was sent with', () => {
    const mail = renderNotification(NotificationType.AgreementTerminated, buildNotificationModel({ senderMessage: 'Please sign by Friday.', terminationReason: 'Terminated: The PCN dissolved on 31 March' }));
    expect(mail.text).toContain('Reason for termination');
    expect(mail.text).toContain('Terminated: The PCN dissolved on 31 March');
    expect(mail.text).not.toContain('Please sign by Friday.');
    expect(mail.html).not.toContain('Please sign by Friday.');
  });
});

describe('renderNotification', () => {
  describe.each(NOTIFICATION_TYPES)('%s', (type) => {
    const model = buildNotificationModel(EXTRAS);
    const mail = renderNotification(type, model);

    it.each([
      ['PCN name', model.pcnName],
      ['PCN code', model.pcnCode],
      ['agreement title', model.agreementTitle],
      ['agreement reference', model.agreementReference],
      ['step label', model.stepLabel],
      ['due date in London', 'Friday 4 December 2026'],
      ['review URL', model.reviewUrl],
    ])('names the %s in the text and the HTML', (_label, expected) => {
      expect(mail.text).toContain(expected);
      expect(mail.html).toContain(expected);
    });

    it('puts the title, reference and PCN name in a one-line subject', () => {
      expect(mail.subject).toContain(model.agreementTitle);
      expect(mail.subject).toContain(model.agreementReference);
      expect(mail.subject).toContain(model.pcnName);
      expect(mail.subject).not.toMatch(/[\r\n]/);
    });

    it('shows no hash or fingerprint: the review page shows what is approved', () => {
      expect(mail.text).not.toMatch(/fingerprint|hash/i);
      expect(mail.html).not.toMatch(/fingerprint|hash/i);
    });

    it('links the review page as a button and as visible text', () => {
      const href = `href="${model.reviewUrl}"`;
      expect(mail.html.split(href).length - 1).toBe(2);
      expect(mail.html).toMatch(/<a href="[^"]+" style="display:inline-block;[^"]*">[^<]+<\/a>/);
    });

    it('says plainly when there is no deadline', () => {
      const undated = renderNotification(type, buildNotificationModel({ ...EXTRAS, dueAt: null }));
      expect(undated.text).toContain('Due: No deadline has been set for this step.');
      expect(undated.html).toContain('No deadline has been set for this step.');
      expect(undated.text).not.toMatch(/undefined|null|Invalid Date|NaN/);
    });

    it('escapes everything interpolated into the HTML', () => {
      const hostile = buildNotificationModel({
        ...EXTRAS,
        recipientName: 'Eve <img src=x onerror=alert(1)>',
        pcnName: 'PCN & "Partners"',
        agreementTitle: '<b>Bold</b> title',
        senderMessage: 'Hello <script>alert("sender")</script>',
        declineReason: '<script>alert("decline")</script>',
        terminationReason: '<script>alert("terminated")</script>',
        reviewUrl: 'https://agreements.example.nhs.uk/review?a=1&b="2"',
        tasks: [{ document: 'Annex A: <i>x</i>', capacity: 'Partner', organisations: ['<u>Org</u> (A1)', 'Other'] }],
      });
      const html = renderNotification(type, hostile).html;
      expect(html).not.toMatch(/<script|<img|<b>|<i>|<u>/i);
      // ROUND_STOPPED quotes nothing: it goes to people the sender's words may not concern.
      // AGREEMENT_TERMINATED quotes the termination reason, not the round's message.
      if (type === NotificationType.AgreementTerminated) expect(html).toContain('&lt;script&gt;alert(&quot;terminated&quot;)&lt;/script&gt;');
      else if (type !== NotificationType.RoundStopped) expect(html).toContain('&lt;script&gt;alert(&quot;sender&quot;)&lt;/script&gt;');
      expect(html).toContain('PCN &amp; &quot;Partners&quot;');
      expect(html).toContain('href="https://agreements.example.nhs.uk/review?a=1&amp;b=&quot;2&quot;"');
    });

    it('does not read the clock or anything else outside the model', () => {
      expect(renderNotification(type, model)).toEqual(mail);
    });
  });

  it('shows the sender message and the decline reason as text', () => {
    const declined = renderNotification(NotificationType.RoundDeclined, buildNotificationModel({ ...EXTRAS, senderMessage: 'Line one\nLine two <script>x</script>' }));
    expect(declined.text).toContain('Dr Ben Okafor, Hillside Surgery declined Annex A: Direct care data sharing of revision 3 of Network Agreement 2026/27');
    expect(declined.text).toContain('Reason given:\n  Clause 7 does not match what our partners agreed.');
    expect(declined.text).toContain('  Line two <script>x</script>');
    expect(declined.html).toContain('Line one<br>Line two &lt;script&gt;x&lt;/script&gt;');
    expect(declined.html).toContain('&lt;script&gt;');
  });

  it('escapes a <script> in the decline reason', () => {
    const html = renderNotification(NotificationType.RoundDeclined, buildNotificationModel({ declineReason: '<script>steal()</script>' })).html;
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;steal()&lt;/script&gt;');
  });

  it('says when no reason was given for a decline', () => {
    expect(renderNotification(NotificationType.RoundDeclined, buildNotificationModel()).text).toContain('No reason was given.');
  });

  it('asks for a signature with the deadline in UK time, listing what waits in words', () => {
    const mail = renderNotification(NotificationType.SignatureRequested, buildNotificationModel());
    expect(mail.subject).toBe('Please sign: Network Agreement 2026/27 (NA-U12345-2026-001) – Riverside Health PCN, step 2: Member practice and partner signatures');
    expect(mail.text).toContain('Please sign by 5pm on Friday 4 December 2026 (UK time).');
    expect(mail.text).toContain('Dear Dr Asha Patel,');
    expect(mail.text).toContain('- The network agreement, for Riverside Surgery (B82001) as Partner\n- Annex A: Direct care data sharing, for Riverside Surgery (B82001) as Partner\n');
    expect(mail.html).toContain('<li style="margin:0 0 8px;">The network agreement, for Riverside Surgery (B82001) as Partner</li>');
  });

  it('lists every organisation of a task for several organisations, in the text and the HTML', () => {
    const organisations = ['Eaglescliffe Medical Practice (A81002)', 'Park Lane Surgery (A81004)', 'Yarm Medical Practice (A81001)'];
    const mail = renderNotification(
      NotificationType.IgReviewRequested,
      buildNotificationModel({ stepNumber: 1, stepLabel: 'Information governance review', tasks: [{ document: 'Annex A: Direct care data sharing', capacity: 'Data Protection Officer', organisations }] }),
    );
    expect(mail.text).toContain(`- Annex A: Direct care data sharing, for 3 organisations as Data Protection Officer:\n${organisations.map((o) => `    - ${o}`).join('\n')}\n`);
    for (const o of organisations) expect(mail.html).toContain(`<li style="margin:0 0 4px;">${o}</li>`);
    expect(mail.subject).toBe('Information governance review needed: Network Agreement 2026/27 (NA-U12345-2026-001) – Riverside Health PCN, step 1: Information governance review');
  });

  it('tells a party of another part only that signing stopped: no reason, no part, no decliner', () => {
    const mail = renderNotification(NotificationType.RoundStopped, buildNotificationModel({ ...EXTRAS, tasks: undefined }));
    for (const body of [mail.text, mail.html, mail.subject]) {
      expect(body).not.toContain(EXTRAS.declineReason);
      expect(body).not.toContain('Annex A');
      expect(body).not.toContain('Dr Ben Okafor');
    }
    expect(mail.subject).toBe('Signing stopped: Network Agreement 2026/27 (NA-U12345-2026-001) – Riverside Health PCN');
    expect(mail.text).toContain('You do not need to do anything now.');
    expect(mail.text).toContain('Riverside Health PCN may send a new revision.');
  });

  it('gives every type a distinct subject', () => {
    const subjects = NOTIFICATION_TYPES.map((type) => renderNotification(type, buildNotificationModel(EXTRAS)).subject);
    expect(new Set(subjects).size).toBe(NOTIFICATION_TYPES.length);
  });

  it('refuses an email that asks for action without saying what waits', () => {
    expect(() => renderNotification(NotificationType.Reminder, buildNotificationModel({ tasks: [] }))).toThrow(/tasks is empty/);
    expect(() => renderNotification(NotificationType.SignatureRequested, buildNotificationModel({ tasks: [{ document: 'The network agreement', capacity: 'Partner', organisations: [] }] }))).toThrow(/tasks\[0\]/);
  });

  it('names who delegated, the reminder number and the date the agreement was completed', () => {
    expect(renderNotification(NotificationType.DelegatedToYou, buildNotificationModel(EXTRAS)).text).toContain('Dr Carys Evans has asked you to act for them');
    expect(renderNotification(NotificationType.Reminder, buildNotificationModel(EXTRAS)).html).toContain('Reminder 2: action needed');
    expect(renderNotification(NotificationType.AgreementExecuted, buildNotificationModel(EXTRAS)).text).toContain('The last signature was added on Saturday 5 December 2026.');
  });

  it('refuses a model that would produce a broken email, naming the fields', () => {
    const attempt = () =>
      renderNotification(NotificationType.SignatureRequested, buildNotificationModel({ reviewUrl: 'javascript:alert(1)', tasks: [], dueAt: 'next week', pcnName: ' ' }));
    expect(attempt).toThrow(NotificationsException);
    try {
      attempt();
    } catch (error) {
      const e = error as NotificationsException;
      expect(e.code).toBe(NotificationsErrorCode.InvalidMessage);
      expect(e.message).toMatch(/pcnName.*tasks.*reviewUrl.*dueAt/);
    }
    expect(() => renderNotification('NOPE' as NotificationType, buildNotificationModel())).toThrow(/not a notification type/);
  });
});

describe('London dates', () => {
  it.each([
    ['2026-12-04T17:00:00Z', 'Friday 4 December 2026', '5pm on Friday 4 December 2026 (UK time)'],
    // British Summer Time: 23:30 UTC is already the next day in London.
    ['2026-06-30T23:30:00Z', 'Wednesday 1 July 2026', '12:30am on Wednesday 1 July 2026 (UK time)'],
    ['2026-07-01T11:00:00Z', 'Wednesday 1 July 2026', 'midday on Wednesday 1 July 2026 (UK time)'],
    ['2026-12-04T23:59:59Z', 'Friday 4 December 2026', 'the end of Friday 4 December 2026 (UK time)'],
    ['2026-12-04T09:05:00Z', 'Friday 4 December 2026', '9:05am on Friday 4 December 2026 (UK time)'],
  ])('%s is %s', (iso, date, deadline) => {
    expect(formatLondonDate(iso)).toBe(date);
    expect(formatLondonDeadline(iso)).toBe(deadline);
  });
});
