// Who learns which stream, when agent processes share a run out among themselves (`--share auto`):
// a lease per stream in the `tprop_leases` key-value bucket, whose entries expire after `ttlMs`
// (the bucket's max age) unless renewed, and a presence key per process. Claiming is a create (it
// fails while another holds the lease), renewing and releasing are compare-and-set on the revision:
// a process that stalled past its lease finds it taken and gives the stream up.

import { Kvm, type KV } from '@nats-io/kv';
import { StorageType } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { BUCKETS } from './subjects.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class StreamLeases {
  private readonly revisions = new Map<number, number>();

  private constructor(
    private readonly bucket: KV,
    readonly run: string,
    /** This process's name in the leases (unique: host, pid and a random part). */
    readonly owner: string,
  ) {}

  /** Opens the bucket (made with entries that live `ttlMs` unless renewed). */
  static async open(connection: NatsConnection, run: string, owner: string, ttlMs: number): Promise<StreamLeases> {
    const kvm = new Kvm(connection);
    let bucket: KV;
    try {
      bucket = await kvm.create(BUCKETS.leases, { history: 1, ttl: ttlMs, storage: StorageType.File });
    } catch {
      bucket = await kvm.open(BUCKETS.leases);
    }
    return new StreamLeases(bucket, run, owner);
  }

  private streamKey(k: number): string {
    return `${this.run}.stream.${k}`;
  }

  /** Says this process is alive (others count it when they share the streams out). */
  async announce(): Promise<void> {
    await this.bucket.put(`${this.run}.proc.${this.owner}`, encoder.encode(this.owner));
  }

  /** The processes alive on this run (their presence not expired), this one included. */
  async processes(): Promise<number> {
    let count = 0;
    for await (const _ of await this.bucket.keys(`${this.run}.proc.*`)) count++;
    return count;
  }

  /** Takes the lease of stream `k` if nobody holds it; true when taken. */
  async claim(k: number): Promise<boolean> {
    try {
      this.revisions.set(k, await this.bucket.create(this.streamKey(k), encoder.encode(this.owner)));
      return true;
    } catch {
      return false;
    }
  }

  /** Renews the lease of `k`; false when it was lost (expired and taken by another). */
  async renew(k: number): Promise<boolean> {
    const revision = this.revisions.get(k);
    if (revision === undefined) return false;
    try {
      this.revisions.set(k, await this.bucket.update(this.streamKey(k), encoder.encode(this.owner), revision));
      return true;
    } catch (error) {
      if (/wrong last sequence/i.test((error as Error).message)) {
        this.revisions.delete(k);
        return false;
      }
      throw error;
    }
  }

  /** Gives the lease of `k` up (if still held), for another process to claim. */
  async release(k: number): Promise<void> {
    const revision = this.revisions.get(k);
    this.revisions.delete(k);
    if (revision === undefined) return;
    await this.bucket.delete(this.streamKey(k), { previousSeq: revision }).catch(() => undefined);
  }

  /** Who holds each stream's lease now (for people and tests). */
  async holders(): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    for await (const key of await this.bucket.keys(`${this.run}.stream.*`)) {
      const entry = await this.bucket.get(key);
      if (entry !== null && entry.operation === 'PUT')
        out.set(Number(key.split('.').at(-1)), decoder.decode(entry.value));
    }
    return out;
  }

  /** Leaves the run: every lease released, the presence removed. */
  async leave(): Promise<void> {
    for (const k of [...this.revisions.keys()]) await this.release(k);
    await this.bucket.delete(`${this.run}.proc.${this.owner}`).catch(() => undefined);
  }
}
