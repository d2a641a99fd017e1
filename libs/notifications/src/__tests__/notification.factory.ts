import { NotificationModel } from '../templates';

export function buildNotificationModel(overrides: Partial<NotificationModel> = {}): NotificationModel {
  return {
    recipientName: 'Dr Asha Patel',
    pcnName: 'Riverside Health PCN',
    pcnCode: 'U12345',
    agreementTitle: 'Network Agreement 2026/27',
    agreementReference: 'NA-U12345-2026-001',
    revisionNumber: 3,
    stepNumber: 2,
    stepLabel: 'Member practice and partner signatures',
    dueAt: '2026-12-04T17:00:00.000Z',
    reviewUrl: 'https://agreements.example.nhs.uk/review/9b2f0c1e-8d7a-4c3b-9e2f-1a2b3c4d5e6f',
    tasks: [
      { document: 'The network agreement', capacity: 'Partner', organisations: ['Riverside Surgery (B82001)'] },
      { document: 'Annex A: Direct care data sharing', capacity: 'Partner', organisations: ['Riverside Surgery (B82001)'] },
    ],
    ...overrides,
  };
}
