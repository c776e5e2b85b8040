// `npm test` must not rewrite docs/screenshots/*.png (issue 10 item 16): pictures go there only with SCREENSHOTS=1.
// No browser needed: this checks where the harness writes.

import { tmpdir } from 'node:os';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SCREENSHOT_DIR, screenshotDir } from './harness.js';

test('docs/screenshots/ only when asked for', () => {
  assert.is(screenshotDir({}), screenshotDir({ SCREENSHOTS: '0' }));
  assert.ok(!screenshotDir({}).startsWith(SCREENSHOT_DIR), 'not the committed pictures by default');
  assert.ok(screenshotDir({}).startsWith(tmpdir()), 'a scratch folder');
  assert.is(screenshotDir({ SCREENSHOTS: '1' }), SCREENSHOT_DIR);
  assert.is(screenshotDir({ SCREENSHOTS: 'true' }), SCREENSHOT_DIR);
  assert.match(SCREENSHOT_DIR, /docs\/screenshots\/$/);
});

test('the test environment itself does not ask for them (unless SCREENSHOTS is set on purpose)', () => {
  if (process.env.SCREENSHOTS) return;
  assert.ok(!screenshotDir().startsWith(SCREENSHOT_DIR));
});

test.run();
