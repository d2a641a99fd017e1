import { NotificationModel } from '../templates';

export const REVISION_HASH = '3f9a1c0b7d2e4f6a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a';

export function buildNotificationModel(overrides: Partial<NotificationModel> = {}): NotificationModel {
  return {
    recipientName: 'Dr Asha Patel',
    pcnName: 'Riverside Health PCN',
    pcnCode: 'U12345',
    agreementTitle: 'Network Agreement 2026/27',
    agreementReference: 'NA-U12345-2026-001',
    revisionNumber: 3,
    revisionHash: REVISION_HASH,
    stepNumber: 2,
    stepLabel: 'Member practice signatures',
    dueAt: '2026-12-04T17:00:00.000Z',
    reviewUrl: 'https://agreements.example.nhs.uk/agreements/9b2f/review?step=2',
    ...overrides,
  };
}
