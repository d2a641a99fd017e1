// Kept next to the specs for discoverability; the implementation lives in ../testing
// so other libraries' tests can import it without reaching into __tests__.
export * from '../testing/content.factory';
