import { COMMON_PASSWORDS } from './common-passwords';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

const COMMON = new Set(COMMON_PASSWORDS);
const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '@': 'a', $: 's', '!': 'i', '|': 'l', '+': 't' };
const SEQUENCES = ['abcdefghijklmnopqrstuvwxyz', '0123456789'.repeat(4), 'qwertyuiopasdfghjklzxcvbnm', '1qaz2wsx3edc4rfv5tgb', 'zyxwvutsrqponmlkjihgfedcba', '9876543210'.repeat(4)];

export interface PasswordContext {
  /** The account's email address: a password built from it is refused. */
  email?: string;
  /** The person's name: likewise. */
  displayName?: string;
}

/** The password's "base word": lower-cased, digit/symbol padding stripped, letter-for-digit swaps undone. */
function baseWords(password: string): string[] {
  const lower = password.toLowerCase();
  const stripped = lower.replace(/^[^a-z]+|[^a-z]+$/g, '');
  const unleet = [...lower].map((c) => LEET[c] ?? c).join('');
  const unleetStripped = unleet.replace(/^[^a-z]+|[^a-z]+$/g, '');
  const lettersOnly = unleet.replace(/[^a-z]/g, '');
  const strippedThenUnleet = [...lower.replace(/^[^a-z@$|+]+|[^a-z0-9@$|+]+$/g, '').replace(/\d+$/, '')].map((c) => LEET[c] ?? c).join('');
  return [...new Set([lower, stripped, unleet, unleetStripped, lettersOnly, strippedThenUnleet].filter((w) => w.length > 0))];
}

/** True when the whole password is one character repeated, a short pattern repeated, or a keyboard/alphabet run. */
function isPattern(password: string): boolean {
  const lower = password.toLowerCase();
  if (/^(.{1,4})\1+.{0,3}$/.test(lower)) return true;
  return SEQUENCES.some((seq) => seq.includes(lower));
}

/** True when the password is a common password, or one or two common words with padding around them. */
function onlyCommonWordsAndPadding(password: string): boolean {
  for (const word of baseWords(password)) {
    if (COMMON.has(word)) return true;
    // Two common words glued together ("summerlove2024"), or a common word repeated.
    for (let i = 3; i <= word.length - 3; i++) {
      if (COMMON.has(word.slice(0, i)) && COMMON.has(word.slice(i))) return true;
    }
  }
  return false;
}

/**
 * The platform's password rule, used wherever a password is chosen (invitations, resets,
 * the seed): at least 12 characters (at most 256), not a common or breached-style password
 * (a common word with digits/symbols around it, letter-for-digit swaps, keyboard runs,
 * repeats), and not built from the person's email or name. Offline: nothing is sent anywhere.
 * Returns the problem in words for the person choosing it, or null when the password is fine.
 */
export function checkPasswordPolicy(password: string, context: PasswordContext = {}): string | null {
  if (typeof password !== 'string' || [...password].length < PASSWORD_MIN_LENGTH) return `Enter a password of at least ${PASSWORD_MIN_LENGTH} characters`;
  if ([...password].length > PASSWORD_MAX_LENGTH) return `Enter a password of at most ${PASSWORD_MAX_LENGTH} characters`;
  if (/[\u0000-\u001f\u007f]/.test(password)) return 'Enter a password without control characters';
  if (isPattern(password)) return 'Choose a password that is not a repeated pattern or a run of keys, for example three or four random words';
  if (onlyCommonWordsAndPadding(password)) return 'This password is too common (it appears in lists of breached passwords). Choose another, for example three or four random words';
  const personal = [context.email?.split('@')[0], ...(context.displayName ?? '').split(/\s+/)].map((s) => (s ?? '').toLowerCase()).filter((s) => s.length >= 4);
  const lower = password.toLowerCase();
  // The person's name or email with a little padding ("Thornton!2024x") is guessable by anyone who knows them.
  if (personal.some((p) => lower.includes(p) && lower.replace(p, '').length < 8)) return 'Choose a password that is not based on your name or email address';
  return null;
}
