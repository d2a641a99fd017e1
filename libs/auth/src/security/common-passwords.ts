/**
 * Offline refusal list: the most common passwords of public breach corpora (top of the
 * "10k most common" lists, 8+ characters, lower-cased), and the words people build
 * "Password2024!"-style passwords from. Checked after lower-casing, undoing common
 * letter-for-digit swaps, and stripping digits and symbols from both ends.
 */
export const COMMON_PASSWORDS: readonly string[] = [
  'password', 'passw0rd', 'password1', 'password12', 'password123', 'password1234', 'passwordpassword', '123456789', '1234567890', '12345678', '123123123',
  'qwertyuiop', 'qwerty123', 'qwertyui', 'qwerty1234', '1q2w3e4r', '1q2w3e4r5t', '1qaz2wsx', 'zaq12wsx', 'asdfghjkl', 'asdfasdf', 'zxcvbnm', 'qazwsxedc',
  'iloveyou', 'sunshine', 'princess', 'football', 'baseball', 'welcome', 'welcome1', 'welcome123', 'letmein', 'letmein1', 'trustno1', 'whatever', 'starwars',
  'superman', 'batman', 'master', 'dragon', 'monkey', 'shadow', 'michael', 'jennifer', 'jordan23', 'charlie', 'liverpool', 'chelsea', 'arsenal', 'manchester',
  'computer', 'internet', 'changeme', 'changeit', 'default', 'administrator', 'admin', 'admin123', 'administrator1', 'root', 'toor', 'secret', 'secret123',
  'abc123', 'abcdefgh', 'abcd1234', 'a1b2c3d4', 'aa123456', 'azerty', 'access', 'flower', 'freedom', 'hello', 'hello123', 'helloworld', 'hunter2', 'killer',
  'lovely', 'loveme', 'mustang', 'ninja', 'pokemon', 'purple', 'qwerty', 'samsung', 'soccer', 'tigger', 'summer', 'winter', 'spring', 'autumn', 'january',
  'february', 'march', 'april', 'june', 'july', 'august', 'september', 'october', 'november', 'december', 'monday', 'friday', 'sunday', 'london', 'england',
  'britain', 'scotland', 'wales', 'nhs', 'nhsengland', 'nhsdigital', 'doctor', 'nurse', 'surgery', 'practice', 'medical', 'health', 'hospital', 'clinic',
  'patient', 'pharmacy', 'gppractice', 'primarycare', 'network', 'agreement', 'pcn', 'caldicott', 'emis', 'systmone', 'smartcard', 'company', 'office',
  'letmeinplease', 'opensesame', 'myspace', 'facebook', 'google', 'microsoft', 'windows', 'apple', 'linkedin', 'twitter', 'youtube', 'matrix', 'cheese',
  'chocolate', 'cookie', 'banana', 'orange', 'pepper', 'ginger', 'buster', 'bailey', 'daniel', 'thomas', 'robert', 'jessica', 'ashley', 'michelle', 'andrew',
  'joshua', 'matthew', 'anthony', 'william', 'george', 'harry', 'oliver', 'jack', 'charlotte', 'amelia', 'sophie', 'emily', 'family', 'forever', 'friends',
  'heaven', 'angel', 'babygirl', 'blessed', 'jesus', 'christ', 'god', 'love', 'lovelove', 'iloveu', 'qwe123', 'zxc123', 'asd123', 'pass', 'pass1234', 'test',
  'test1234', 'testing', 'testtest', 'guest', 'user', 'login', 'letmein123', 'temp', 'temporary', 'newpassword', 'mypassword', 'yourpassword', 'p@ssword',
  'correcthorsebatterystaple', 'aaaaaaaa', 'qqqqqqqq', 'zzzzzzzz', '11111111', '00000000', '88888888', '12341234', '11223344', '987654321', '147258369',
];
