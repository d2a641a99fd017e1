export * from './notification-type';
export * from './notification-model';
export * from './render-notification';
export { escapeHtml, formatLondonDate, formatLondonDeadline } from './format';
export * from './invitation';
