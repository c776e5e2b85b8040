// A promise that must reject with an error of a given class: returns that error for further assertions.
import * as assert from 'uvu/assert';

export async function rejects<T extends Error>(p: Promise<unknown>, cls: new (...a: never[]) => T): Promise<T> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, cls);
    return e as T;
  }
  assert.unreachable('expected a rejection');
  throw new Error('unreachable');
}
