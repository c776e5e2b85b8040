// Errors that carry a list of problems (ConfigError, DevicesFileError): run fn, expect that error, return its lines.
import * as assert from 'uvu/assert';

export function problemsOf(
  ErrorClass: new (...args: never[]) => Error & { problems: string[] },
  fn: () => unknown,
): string[] {
  try {
    fn();
  } catch (err) {
    assert.instance(err, ErrorClass);
    return (err as InstanceType<typeof ErrorClass>).problems;
  }
  assert.unreachable(`expected a ${ErrorClass.name}`);
  return [];
}
