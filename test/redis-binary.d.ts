/** Whether the machine has a `redis-server` on the PATH (test/redis-binary.js). */
export function redisServerOnPath(): boolean;
