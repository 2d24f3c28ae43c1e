import { DiscardPolicy, JetStreamApiError, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { JetStreamClient, JetStreamManager, MsgRequest, StoredMsg } from '@nats-io/jetstream';
import { headers, nanos } from '@nats-io/transport-node';
import type { MsgHdrs, NatsConnection } from '@nats-io/transport-node';
import type { PresenceMember } from '@qwik-realtime/core/protocol';
import type { BrokerPresence } from '../broker.js';
import { topicToToken } from './nats-subjects.js';

/** What the NATS broker lends its presence. */
export interface NatsPresenceDeps {
  /** KV bucket name (`[-\w]+`). */
  bucket: string;
  storage: 'file' | 'memory';
  replicas: number;
  /** Connected handles (rejects with `broker_unavailable` when NATS is down). */
  handles(): Promise<{ nc: NatsConnection; js: JetStreamClient; jsm: JetStreamManager }>;
  now: () => number;
}

interface Stored {
  member: PresenceMember;
  expiresAt: number;
}

/** The KV operation header (`nats kv` tooling reads it); our own header tells refreshes from joins. */
const KV_OPERATION = 'KV-Operation';
const PRESENCE_EVENT = 'Qr-Presence';
/** Leftovers of a crashed instance (listed as expired already) are dropped by the bucket after this. */
const BUCKET_MAX_AGE_MS = 3_600_000;

const isDeleted = (header: MsgHdrs | undefined) => {
  const op = header?.get(KV_OPERATION);
  return op === 'DEL' || op === 'PURGE';
};

/**
 * {@link BrokerPresence} on a JetStream KV bucket (the stream `KV_<bucket>` over `$KV.<bucket>.>`, one value
 * per key, as `@nats-io/kv` lays it out, so `nats kv` can inspect it): key `<topic token>.<member id,
 * base64url>`, value `{ member, expiresAt }`, a leave is a `DEL` marker. Watchers are core subscriptions on
 * the topic's keys; refreshes carry a header that watchers ignore. The member limit is checked before the
 * put, not atomically: concurrent joins on several instances may overshoot it by a few.
 */
export function createNatsPresence(deps: NatsPresenceDeps): BrokerPresence {
  const stream = `KV_${deps.bucket}`;
  const subjectOf = (topic: string, id?: string) =>
    `$KV.${deps.bucket}.${topicToToken(topic)}.${id === undefined ? '*' : Buffer.from(id).toString('base64url') || '_'}`;
  let bucketReady: Promise<void> | undefined;

  const ready = async () => {
    const h = await deps.handles();
    bucketReady ??= (async () => {
      try {
        await h.jsm.streams.info(stream);
        return;
      } catch (error) {
        if (!(error instanceof JetStreamApiError) || error.code !== 10059) throw error;
      }
      await h.jsm.streams
        .add({
          name: stream,
          subjects: [`$KV.${deps.bucket}.>`],
          retention: RetentionPolicy.Limits,
          storage: deps.storage === 'memory' ? StorageType.Memory : StorageType.File,
          max_msgs_per_subject: 1,
          max_age: nanos(BUCKET_MAX_AGE_MS),
          discard: DiscardPolicy.New,
          allow_rollup_hdrs: true,
          deny_delete: true,
          num_replicas: deps.replicas,
        })
        .catch((error: unknown) => h.jsm.streams.info(stream).then(() => undefined, () => Promise.reject(error)));
    })();
    bucketReady.catch(() => (bucketReady = undefined));
    await bucketReady;
    return h;
  };

  const put = async (topic: string, stored: Stored, event: 'join' | 'refresh') => {
    const { js } = await ready();
    const h = headers();
    h.set(PRESENCE_EVENT, event);
    await js.publish(subjectOf(topic, stored.member.id), JSON.stringify(stored), { headers: h });
  };
  const read = (msg: StoredMsg | null | undefined): Stored | undefined => {
    if (!msg || isDeleted(msg.header) || msg.data.length === 0) return undefined;
    try {
      return msg.json<Stored>();
    } catch {
      return undefined;
    }
  };
  const current = async (topic: string, id: string): Promise<Stored | undefined> => {
    const { jsm } = await ready();
    const found = read(await jsm.streams.getMessage(stream, { last_by_subj: subjectOf(topic, id) }).catch(() => null));
    return found && found.expiresAt > deps.now() ? found : undefined;
  };

  const presence: BrokerPresence = {
    async join(topic, member, { ttlMs, max }) {
      const members = await presence.list(topic);
      if (!members.some((each) => each.id === member.id) && members.length >= max) return false;
      await put(topic, { member, expiresAt: deps.now() + ttlMs }, 'join');
      return true;
    },
    async refresh(topic, ids, ttlMs) {
      for (const id of ids) {
        const found = await current(topic, id);
        if (found) await put(topic, { member: found.member, expiresAt: deps.now() + ttlMs }, 'refresh');
      }
    },
    async leave(topic, ids) {
      const { js } = await ready();
      for (const id of ids) {
        const h = headers();
        h.set(KV_OPERATION, 'DEL');
        h.set(PRESENCE_EVENT, 'leave');
        await js.publish(subjectOf(topic, id), undefined, { headers: h });
      }
    },
    async list(topic) {
      const { jsm } = await ready();
      const filter = subjectOf(topic);
      const at = deps.now();
      const members: PresenceMember[] = [];
      // One value per key: walking the topic's keys in stream order visits each member's latest value once.
      // STREAM.MSG.GET accepts next_by_subj (nats-server >= 2.9) though the client's MsgRequest type omits it.
      for (let seq = 1; ; ) {
        const msg = await jsm.streams.getMessage(stream, { seq, next_by_subj: filter } as unknown as MsgRequest).catch(() => null);
        if (!msg) break;
        const stored = read(msg);
        if (stored && stored.expiresAt > at) members.push(stored.member);
        seq = msg.seq + 1;
      }
      return members;
    },
    async watch(topic, onChange) {
      const { nc } = await ready();
      const sub = nc.subscribe(subjectOf(topic), {
        callback: (error, msg) => {
          if (!error && msg.headers?.get(PRESENCE_EVENT) !== 'refresh') onChange();
        },
      });
      await nc.flush();
      return () => sub.unsubscribe();
    },
  };
  return presence;
}
