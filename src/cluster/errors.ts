export class ClusterError extends Error {
  override readonly name = 'ClusterError';
}

export function errText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
