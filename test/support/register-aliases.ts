// eslint-disable-next-line @typescript-eslint/no-require-imports
require('../../scripts/ts-register.js');
