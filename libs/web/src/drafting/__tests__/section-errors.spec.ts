import { humaniseMessage } from '../section-errors';

describe('humaniseMessage', () => {
  it('says "Select …" for a missing choice and names the row of a repeatable list', () => {
    expect(humaniseMessage('role must be one of the following values: CONTROLLER, JOINT_CONTROLLER', 'annexes[0].parties[2].role', 'Role in this annex')).toBe('Row 3: Select role in this annex');
  });

  it('says "Enter …" for empty text and asks for yes or no for a yes/no question', () => {
    expect(humaniseMessage('purpose should not be empty', 'annexes[0].purposes[0].purpose', 'What the data is used for')).toBe('Row 1: Enter what the data is used for');
    expect(humaniseMessage('specialCategory must be a boolean value', 'annexes[0].dataItems[1].specialCategory', 'Is it special-category data (such as health)?')).toBe(
      'Row 2: Select yes or no for “Is it special-category data (such as health)?”',
    );
  });

  it('keeps a field outside any list as it is, in words', () => {
    expect(humaniseMessage('kind must be a valid enum value', 'annexes[0].kind', 'Type of agreement')).toBe('Select type of agreement');
    expect(humaniseMessage('percentage must not be greater than 100', 'schedules.finances.shares[0].percentage', 'Percentage')).toBe('Row 1: Percentage must not be greater than 100');
  });
});
