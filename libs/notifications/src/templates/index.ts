export * from './notification-type';
export * from './notification-model';
export * from './render-notification';
export { escapeHtml, formatLondonDate, formatLondonDeadline, shortHash, SHORT_HASH_LENGTH } from './format';
