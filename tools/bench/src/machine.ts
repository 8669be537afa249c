/** The machine and the durability settings the figures were taken under. */

import os from 'node:os';
import type { Client } from 'pg';
import type { Redis } from 'ioredis';

export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly postgres: string;
  readonly redis: string;
  readonly fsync: string;
  readonly synchronousCommit: string;
  readonly walSyncMethod: string;
  readonly fullPageWrites: string;
  readonly sharedBuffers: string;
  readonly maxConnections: string;
}

export async function describeMachine(admin: Client, redis: Redis): Promise<MachineInfo> {
  const show = async (name: string) => String((await admin.query(`SHOW ${name}`)).rows[0]?.[name] ?? '?');
  const info = await redis.info('server');
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? '?',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    postgres: await show('server_version'),
    redis: /redis_version:(\S+)/.exec(info)?.[1] ?? '?',
    fsync: await show('fsync'),
    synchronousCommit: await show('synchronous_commit'),
    walSyncMethod: await show('wal_sync_method'),
    fullPageWrites: await show('full_page_writes'),
    sharedBuffers: await show('shared_buffers'),
    maxConnections: await show('max_connections'),
  };
}

/** 1-minute load average: other work on the machine shows here. */
export function loadAverage(): number {
  return Math.round((os.loadavg()[0] ?? 0) * 100) / 100;
}
