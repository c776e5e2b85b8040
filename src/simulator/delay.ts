// A wait that never keeps the process alive: the simulator's fault switches (delayMs) answer after it.
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());
