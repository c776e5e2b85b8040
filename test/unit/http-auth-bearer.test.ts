// parseBearer: the one `Authorization: Bearer` parser of REST and the socket handshake.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseBearer } from '../../src/http/auth.js';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl-_';

test('scheme in any case, one space or more, a token68', () => {
  assert.is(parseBearer(`Bearer ${JWT}`), JWT);
  assert.is(parseBearer(`bearer ${JWT}`), JWT);
  assert.is(parseBearer(`bEaReR ${JWT}`), JWT);
  assert.is(parseBearer(`Bearer     ${JWT}`), JWT);
  assert.is(parseBearer(`Bearer ${JWT}  `), JWT, 'trailing spaces');
  assert.is(parseBearer('Bearer abc+/=='), 'abc+/==', 'base64 padding');
});

test('refused: nothing, another scheme, no space, empty token, two tokens, odd characters, not a string', () => {
  for (const h of [
    undefined,
    '',
    'Bearer',
    'Bearer ',
    'Bearer    ',
    `Bearer${JWT}`,
    `Basic ${JWT}`,
    `Bearer\t${JWT}`,
    `Bearer ${JWT} x`,
    `Bearer ${JWT},x`,
    'Bearer a"b',
    'Bearer =abc',
    `Token ${JWT}`,
    `Bearer ${'a'.repeat(20_000)}`,
  ]) {
    assert.is(parseBearer(h), undefined, JSON.stringify(h)?.slice(0, 40));
  }
  assert.is(parseBearer(['Bearer x']), undefined);
  assert.is(parseBearer(42), undefined);
});

test.run();
