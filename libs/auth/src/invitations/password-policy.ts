/**
 * The password rule for invitations until the shared policy (`checkPasswordPolicy`, with the
 * common-password refusal) is available: at least 12 characters, at most 256.
 * Returns the problem in words, or null.
 */
export function invitationPasswordProblem(password: string): string | null {
  if (password.length < 12) return 'Enter a password of at least 12 characters';
  if (password.length > 256) return 'Enter a password of at most 256 characters';
  if (password.includes('\u0000')) return 'Enter a password without control characters';
  return null;
}
