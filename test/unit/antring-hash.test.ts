import { createHash } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  appHash,
  directoryHash,
  HISTORY_HASH_ORDER,
  historyHash,
  recordingHash,
  sha256Hex,
} from '../../src/antring/hash.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

test('sha256Hex matches node:crypto and a known vector', () => {
  assert.is(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.is(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.is(sha256Hex('Nguyễn Văn A'), sha('Nguyễn Văn A'));
});

test('appHash = sha256(appId + appSecret), lowercase hex', () => {
  assert.is(appHash('app', 'secret'), '87d30924574640e83d55653999fc0b3a4973a9cad137c41937c65887a26262bb');
  assert.is(appHash('app', 'secret'), sha('appsecret'));
  assert.is(appHash('a1b2', 'S3cr3t'), sha('a1b2S3cr3t'));
  assert.match(appHash('X', 'Y'), /^[0-9a-f]{64}$/);
  assert.is.not(appHash('ap', 'psecret'), appHash('app', 'secret2'));
});

test('history hash order is one constant: created_from+created_to+limit+page+appId+appSecret', () => {
  assert.equal([...HISTORY_HASH_ORDER], ['created_from', 'created_to', 'limit', 'page', 'appId', 'appSecret']);
  assert.ok(Object.isFrozen(HISTORY_HASH_ORDER));
  const q = { created_from: '2024-01-01', created_to: '2024-01-31', limit: 20, page: 1 };
  assert.is(historyHash(q, 'app', 'secret'), sha('2024-01-012024-01-31201appsecret'));
});

test('recording and directory hashes', () => {
  assert.is(recordingHash('app', 'call_recording_x.mp3', 'secret'), sha('appcall_recording_x.mp3secret'));
  assert.is(
    directoryHash('app', 'acme.antbuddy.com', 'boss@acme.vn', 'secret'),
    sha('appacme.antbuddy.comboss@acme.vnsecret'),
  );
});

test.run();
