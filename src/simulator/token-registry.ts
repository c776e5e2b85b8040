// Auth tokens issued by the simulated AntRing (POST /oapi/v1/voice/auth_token), checked by the simulated signal socket.
import { randomBytes } from 'node:crypto';

export type TokenCheck = 'valid' | 'expired' | 'unknown' | 'revoked';

export class TokenRegistry {
  private readonly tokens = new Map<string, { expiresAt: number; revoked: boolean }>();
  constructor(private readonly now: () => number = Date.now) {}

  issue(lifetimeMs: number): { value: string; expiresAt: number } {
    this.prune();
    const value = randomBytes(24).toString('hex');
    const expiresAt = this.now() + lifetimeMs;
    this.tokens.set(value, { expiresAt, revoked: false });
    return { value, expiresAt };
  }

  check(value: unknown): TokenCheck {
    if (typeof value !== 'string') return 'unknown';
    const t = this.tokens.get(value);
    if (!t) return 'unknown';
    if (t.revoked) return 'revoked';
    return t.expiresAt > this.now() ? 'valid' : 'expired';
  }

  expiresAt(value: string): number | undefined {
    return this.tokens.get(value)?.expiresAt;
  }

  /** Every token value issued (tests grep logs and responses for them: they must never appear). */
  issued(): string[] {
    return [...this.tokens.keys()];
  }

  /** Fault injection: every token issued so far stops working at once. */
  revokeAll(): void {
    for (const t of this.tokens.values()) t.revoked = true;
  }

  /** Fault injection: every token issued so far expires now. */
  expireAll(): void {
    const now = this.now();
    for (const t of this.tokens.values()) t.expiresAt = Math.min(t.expiresAt, now);
  }

  private prune(): void {
    if (this.tokens.size < 10_000) return;
    const now = this.now();
    for (const [k, t] of this.tokens) if (t.expiresAt < now - 3_600_000) this.tokens.delete(k);
  }
}
