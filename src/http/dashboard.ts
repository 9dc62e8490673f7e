/**
 * The BullMQ dashboard (@bull-board/fastify) under /dashboard, behind HTTP basic auth
 * (DASHBOARD_USER / DASHBOARD_PASSWORD). Without both credentials it is not mounted at all: an open
 * queue dashboard lets anyone retry or delete jobs.
 */
import { timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import basicAuth from '@fastify/basic-auth';
import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';

type BoardAdapter = Parameters<typeof createBullBoard>[0]['serverAdapter'];

export const DASHBOARD_PATH = '/dashboard';

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export async function mountDashboard(app: FastifyInstance, queues: readonly Queue[], creds: { user: string; password: string }): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(DASHBOARD_PATH);
  // @bull-board/fastify 9.10.1 nests its own @bull-board/api 9.10.1 beside our 9.10.2: the types
  // differ only by declaration identity (the lead can align the two versions and drop this cast).
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter: serverAdapter as unknown as BoardAdapter });
  await app.register(async (scope) => {
    await scope.register(basicAuth, {
      authenticate: { realm: 'updox-sync' },
      async validate(user, password) {
        // Evaluate both comparisons so the time does not reveal which one failed.
        const ok = [same(user, creds.user), same(password, creds.password)].every(Boolean);
        if (!ok) return new Error('invalid dashboard credentials');
      },
    });
    scope.addHook('onRequest', scope.basicAuth);
    await scope.register(serverAdapter.registerPlugin(), { prefix: DASHBOARD_PATH });
  });
}
