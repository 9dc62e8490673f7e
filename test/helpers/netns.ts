/**
 * Test hosts on this machine: network namespaces (`ip netns`), each joined by a veth pair to a
 * bridge that carries one host-side address. A process started in a namespace (`ip netns exec`)
 * has its own loopback and reaches this machine only through the bridge address, as a process on
 * another machine would reach a shared server. Needs root (CAP_NET_ADMIN); `netnsUnavailable()`
 * says why not when it cannot. Names carry the creating pid, so parallel runs never collide, and
 * a later run removes what a killed run left behind.
 */
import { spawnSync } from 'node:child_process';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

const IP = '/usr/sbin/ip';

function ip(args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(IP, args, { encoding: 'utf8', timeout: 10_000 });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}`.trim() };
}

function ipOrThrow(args: string[]): string {
  const r = ip(args);
  if (!r.ok) throw new Error(`ip ${args.join(' ')} failed: ${r.out}`);
  return r.out;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Namespaces and links of runs whose process is gone (killed before its cleanup). */
function sweepStale(): void {
  const names = ip(['netns', 'list']).out.split('\n').map((l) => l.split(' ')[0]!).filter(Boolean);
  // Only bridges and veths of ours: `usb<pid>` and `us<pid><letter>`.
  const links = ['bridge', 'veth'].flatMap((type) => ip(['-o', 'link', 'show', 'type', type]).out.split('\n'))
    .map((l) => l.split(':')[1]?.trim().split('@')[0] ?? '');
  const stalePids = new Set<number>();
  for (const n of names) {
    const m = /^us-(\d+)-[a-z]+$/.exec(n);
    if (m && !alive(Number(m[1]))) stalePids.add(Number(m[1]));
  }
  for (const l of links) {
    const m = /^us(?:b(\d+)|(\d+)[a-z]n?)$/.exec(l);
    if (m) {
      const pid = Number(m[1] ?? m[2]);
      if (!alive(pid)) stalePids.add(pid);
    }
  }
  for (const pid of stalePids) {
    for (const n of names) if (n.startsWith(`us-${pid}-`)) ip(['netns', 'delete', n]);
    for (const l of links) if (l === `usb${pid}` || new RegExp(`^us${pid}[a-z]n?$`).test(l)) ip(['link', 'delete', l]);
  }
}

/**
 * Why namespaces cannot be made here (not root, no CAP_NET_ADMIN, no `ip`), or null when they can:
 * a probe namespace is added and deleted.
 */
export function netnsUnavailable(): string | null {
  const probe = `us-${process.pid}-probe`;
  const r = ip(['netns', 'add', probe]);
  if (!r.ok) return `cannot create a network namespace (ip netns add: ${r.out || 'failed'}); this test needs root or CAP_NET_ADMIN`;
  ip(['netns', 'delete', probe]);
  return null;
}

export interface TestHost { ns: string; addr: string }
export interface TestNet {
  /** The host side of the bridge: the address the namespaces reach this machine at. */
  hostAddr: string;
  hosts: TestHost[];
  /** `ip netns exec <ns>` in front of a command. */
  exec(ns: string, argv: string[]): string[];
  destroy(): void;
}

/** A free 10.234.X.0/24 (no interface here has an address in it), X starting from our pid. */
function freeSubnet(): string {
  const used = ip(['-4', '-o', 'addr', 'show']).out;
  for (let i = 0; i < 250; i++) {
    const x = (process.pid + i) % 250;
    const net = `10.234.${x}`;
    if (!used.includes(` ${net}.`)) return net;
  }
  throw new Error('no free 10.234.X.0/24 subnet for the test network');
}

/** `count` namespaces (`us-<pid>-a`, `-b`, …) on one bridge (`usb<pid>`) with a /24 of test addresses. */
export function createTestNet(count: number): TestNet {
  if (count < 1 || count > 26) throw new Error('between 1 and 26 test hosts');
  sweepStale();
  const pid = process.pid;
  const net = freeSubnet();
  const bridge = `usb${pid}`;
  const hostAddr = `${net}.1`;
  const hosts: TestHost[] = [];
  const veths: string[] = [];
  const destroy = () => {
    // Deleting a namespace deletes the veth end inside it, and with it the host end; the host ends
    // are deleted too in case a namespace was never made.
    for (const h of hosts) ip(['netns', 'delete', h.ns]);
    for (const v of veths) ip(['link', 'delete', v]);
    ip(['link', 'delete', bridge]);
  };
  try {
    ipOrThrow(['link', 'add', bridge, 'type', 'bridge']);
    ipOrThrow(['addr', 'add', `${hostAddr}/24`, 'dev', bridge]);
    ipOrThrow(['link', 'set', bridge, 'up']);
    for (let i = 0; i < count; i++) {
      const letter = String.fromCharCode(97 + i);
      const ns = `us-${pid}-${letter}`;
      const hostEnd = `us${pid}${letter}`;
      const nsEnd = `us${pid}${letter}n`;
      const addr = `${net}.${10 + i}`;
      ipOrThrow(['netns', 'add', ns]);
      hosts.push({ ns, addr });
      ipOrThrow(['link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', nsEnd]);
      veths.push(hostEnd);
      ipOrThrow(['link', 'set', nsEnd, 'netns', ns]);
      ipOrThrow(['link', 'set', hostEnd, 'master', bridge]);
      ipOrThrow(['link', 'set', hostEnd, 'up']);
      ipOrThrow(['-n', ns, 'addr', 'add', `${addr}/24`, 'dev', nsEnd]);
      ipOrThrow(['-n', ns, 'link', 'set', nsEnd, 'up']);
      ipOrThrow(['-n', ns, 'link', 'set', 'lo', 'up']);
    }
  } catch (err) {
    destroy();
    throw err;
  }
  return { hostAddr, hosts, exec: (ns, argv) => [IP, 'netns', 'exec', ns, ...argv], destroy };
}

export interface Forwarder { port: number; connections(): number; close(): Promise<void> }

/**
 * A TCP forwarder: accepts on `listenHost` (a free port) and pipes each connection to
 * `targetHost:targetPort`. Lets a namespace reach a server that listens on loopback only.
 */
export async function forwardTcp(listenHost: string, targetHost: string, targetPort: number): Promise<Forwarder> {
  const sockets = new Set<Socket>();
  let total = 0;
  const server: Server = createServer((inbound) => {
    total++;
    const outbound = createConnection({ host: targetHost, port: targetPort });
    sockets.add(inbound).add(outbound);
    const drop = () => { inbound.destroy(); outbound.destroy(); sockets.delete(inbound); sockets.delete(outbound); };
    inbound.on('error', drop).on('close', drop);
    outbound.on('error', drop).on('close', drop);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, listenHost, () => { server.off('error', reject); resolve(); });
  });
  return {
    port: (server.address() as { port: number }).port,
    connections: () => total,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
