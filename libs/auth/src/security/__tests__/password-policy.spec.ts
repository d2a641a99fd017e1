import { checkPasswordPolicy } from '../password-policy';

describe('checkPasswordPolicy', () => {
  it.each([
    ['short1!', 'at least 12 characters'],
    ['x'.repeat(257), 'at most 256 characters'],
    ['Password123!', 'too common'],
    ['P@ssw0rd2024!', 'too common'],
    ['Summer2025!!!', 'too common'],
    ['welcome123456', 'too common'],
    ['liverpool1892', 'too common'],
    ['NHSengland2024', 'too common'],
    ['summerlove2024', 'too common'],
    ['aaaaaaaaaaaaaaa', 'repeated pattern'],
    ['abcabcabcabc', 'repeated pattern'],
    ['qwertyuiopasdf', 'repeated pattern'],
    ['1234567890123', 'repeated pattern'],
    ['good\u0000password-here', 'control characters'],
  ])('refuses %j (%s)', (password, reason) => {
    expect(checkPasswordPolicy(password)).toContain(reason);
  });

  it('refuses a password built from the person\'s own name or email', () => {
    expect(checkPasswordPolicy('margaret.hale1', { email: 'margaret.hale@nhs.net' })).toContain('name or email');
    expect(checkPasswordPolicy('Thornton!2024x', { displayName: 'John Thornton' })).toContain('name or email');
  });

  it.each(['correct staple pony glacier', 'vN4#qz9!Lw2@tR', 'Tea kettle under 3 moons', 'plinth-marmot-sedge-77'])('accepts %j', (password) => {
    expect(checkPasswordPolicy(password, { email: 'someone@nhs.net', displayName: 'Some One' })).toBeNull();
  });
});
