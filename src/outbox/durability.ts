// How durable a single node's outbox is (OUTBOX_DURABILITY): `process` — an accepted delivery survives a crash of
// the process (SIGKILL; SQLite WAL with synchronous=NORMAL); `power` — it survives a power loss of the machine too
// (synchronous=FULL: an fsync per write, on the event loop, which slows the pops; docs/deploy.md).
export const OUTBOX_DURABILITIES = ['process', 'power'] as const;
export type OutboxDurability = (typeof OUTBOX_DURABILITIES)[number];
