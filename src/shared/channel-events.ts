// The Kazoo channel events the bridge handles, listed once: the signal parser accepts them, the call engine reads
// them, the default bindings subscribe to them and the simulator sends them (each derives its list from this one).

export const CHANNEL_EVENT_NAMES = ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY'] as const;
export type ChannelEventName = (typeof CHANNEL_EVENT_NAMES)[number];

/** Whether a string is one of them (an event name read off the wire). */
export function isChannelEventName(name: unknown): name is ChannelEventName {
  return typeof name === 'string' && (CHANNEL_EVENT_NAMES as readonly string[]).includes(name);
}

/** The Kazoo binding of one event for every call (`call.CHANNEL_CREATE.*`). */
export const channelBinding = (name: ChannelEventName): string => `call.${name}.*`;
