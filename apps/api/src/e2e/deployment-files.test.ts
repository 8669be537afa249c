/**
 * The deployment files, checked where `docker compose config` cannot run (no Compose plugin on
 * this machine): the compose file's services and their settings, and the Dockerfile's list of
 * workspace manifests, which `npm ci` needs complete.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(__dirname, '../../../..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  ports?: unknown[];
  container_name?: string;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: unknown;
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };

describe('docker-compose.yml', () => {
  const { services } = compose;

  it('runs postgres, redis, api, worker and scheduler', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'postgres', 'redis', 'scheduler', 'worker']);
  });

  it('runs redis with noeviction and the append-only file, as BullMQ needs', () => {
    const command = services['redis']!.command!.join(' ');
    expect(command).toContain('--maxmemory-policy noeviction');
    expect(command).toContain('--appendonly yes');
  });

  it('builds api, worker and scheduler from one image, each starting an entry point that exists, after healthy databases', () => {
    const app = ['api', 'worker', 'scheduler'].map((name) => ({ name, ...services[name]! }));
    expect(new Set(app.map((s) => s.image)).size).toBe(1);
    for (const s of app) {
      expect(s.build).toBeDefined();
      const entry = s.command!.find((part) => part.endsWith('.ts'));
      expect(existsSync(join(ROOT, entry!))).toBe(true);
      expect(s.depends_on).toMatchObject({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
      expect(Object.keys(s.environment!)).toEqual(expect.arrayContaining(['DATABASE_URL', 'REDIS_URL', 'AUTH_JWT_SECRET', 'NODE_ENV']));
    }
    expect(services['api']!.command).toEqual(['tsx', 'apps/api/src/main.ts']);
  });

  it('has no default database password: compose refuses to start without one', () => {
    const raw = read('docker-compose.yml');
    expect(raw).not.toMatch(/(POSTGRES|RUNTIME|QUERY)_PASSWORD:-/);
    expect(services['postgres']!.environment!['POSTGRES_PASSWORD']).toBe('${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}');
  });

  it('runs every process as the non-owner logins, and only the api migrates with the owner', () => {
    const user = (url: string) => new URL(url.replace(/\$\{[^}]+\}/g, 'x')).username;
    for (const name of ['api', 'worker', 'scheduler']) {
      const env = services[name]!.environment!;
      expect(user(env['DATABASE_URL']!)).toBe('workflow_runtime');
      expect(user(env['DATABASE_QUERY_URL']!)).toBe('workflow_query');
    }
    expect(user(services['api']!.environment!['DATABASE_MIGRATION_URL']!)).toBe('postgres');
    for (const name of ['worker', 'scheduler']) {
      const s = services[name]!;
      expect(s.environment!['DATABASE_MIGRATION_URL']).toBeUndefined();
      expect(s.environment!['DATABASE_MIGRATE_ON_START']).toBe('false');
      expect(s.depends_on!['api']).toEqual({ condition: 'service_healthy' });
    }
  });

  it('creates the runtime and query logins, with their passwords, when Postgres initialises', () => {
    const volumes = (services['postgres'] as { volumes: string[] }).volumes;
    const mount = volumes.find((v) => v.includes('/docker-entrypoint-initdb.d'))!;
    const dir = mount.split(':')[0]!;
    const scripts = readdirSync(join(ROOT, dir)).map((f) => read(join(dir, f))).join('\n');
    expect(scripts).toMatch(/CREATE ROLE workflow_runtime LOGIN NOINHERIT NOSUPERUSER NOBYPASSRLS[^;]*PASSWORD :'runtime_password'/);
    expect(scripts).toMatch(/CREATE ROLE workflow_query LOGIN[^;]*NOSUPERUSER NOBYPASSRLS[^;]*PASSWORD :'query_password'/);
    const env = services['postgres']!.environment!;
    expect(env['WORKFLOW_RUNTIME_PASSWORD']).toMatch(/^\$\{WORKFLOW_RUNTIME_PASSWORD:\?/);
    expect(env['WORKFLOW_QUERY_PASSWORD']).toMatch(/^\$\{WORKFLOW_QUERY_PASSWORD:\?/);
  });

  it('lets the worker scale: no fixed container name, no published port', () => {
    expect(services['worker']!.container_name).toBeUndefined();
    expect(services['worker']!.ports).toBeUndefined();
  });

  it('has the worker and the scheduler serve their own /metrics', () => {
    expect(services['worker']!.environment!['METRICS_PORT']).toBe('9464');
    expect(services['scheduler']!.environment!['METRICS_PORT']).toBe('9464');
  });
});

describe('Dockerfile', () => {
  it("copies every npm workspace's package.json before npm ci", () => {
    const pkg = JSON.parse(read('package.json')) as { workspaces: string[] };
    const manifests = pkg.workspaces.flatMap((pattern) => {
      const dir = pattern.replace(/\/\*$/, '');
      return readdirSync(join(ROOT, dir))
        .filter((name) => existsSync(join(ROOT, dir, name, 'package.json')))
        .map((name) => `${dir}/${name}/package.json`);
    });
    const copied = [...read('Dockerfile').matchAll(/^COPY (\S+\/package\.json) /gm)].map((m) => m[1]);
    expect(manifests.length).toBeGreaterThan(0);
    expect(copied.sort()).toEqual(manifests.sort());
  });
});
