// The narrow view of the token keeper that the signal subscriber needs.
export interface AuthToken {
  /** The `value` from POST /oapi/v1/voice/auth_token. A secret: never log it. */
  value: string;
  /** Absolute expiry, unix milliseconds (parsed from whatever form `expire` took). */
  expiresAt: number;
}

export interface TokenSource {
  /** A token valid now: refreshes first when needed. One upstream request in flight at a time. */
  get(): Promise<AuthToken>;
  /** Upstream refused this token (auth_failure): the next get() fetches a new one. */
  invalidate(value: string): void;
  /** Called after every new token (proactive refresh ahead of expiry, or after invalidate). Returns unsubscribe. */
  onRefresh(listener: (token: AuthToken) => void): () => void;
}
