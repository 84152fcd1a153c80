import { credentials, Metadata, status as Status, type ServiceError } from '@grpc/grpc-js';
import { HealthClient, HealthCheckResponse_ServingStatus as ServingStatus, type HealthCheckResponse } from '@recsys/contracts/health';
import { connect, type IncomingHttpHeaders } from 'node:http2';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Authenticator, createLogger, registerService, ServiceMetrics, startGrpcServer, startMetricsServer, type GrpcServerHandle } from '../src';
import { EchoHandler } from './fixtures/echo-handler';
import { EchoClient, EchoService, echoUnary } from './fixtures/echo-service';

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger({ name: 'test', level: 'debug', destination }), lines };
}

const OPEN = new Authenticator({ adminTokens: [], serviceTokens: [] });

async function start(shutdown = { graceMs: 0, timeoutMs: 5_000 }, authenticator = OPEN, admin: ('echo' | 'repeat' | 'concat')[] = []) {
  const { logger, lines } = capturingLogger();
  const metrics = new ServiceMetrics('test');
  const handler = new EchoHandler();
  const server = await startGrpcServer({
    host: '127.0.0.1',
    port: 0,
    services: [registerService(EchoService, handler, { default: 'service', admin })],
    authenticator,
    logger,
    metrics,
    shutdown,
  });
  const address = `127.0.0.1:${server.port}`;
  return {
    server,
    handler,
    metrics,
    lines,
    echo: new EchoClient(address, credentials.createInsecure()),
    health: new HealthClient(address, credentials.createInsecure()),
  };
}

const check = (client: HealthClient, service = '') =>
  new Promise<HealthCheckResponse>((resolve, reject) => client.check({ service }, (err, res) => (err ? reject(err) : resolve(res))));

describe('startGrpcServer', () => {
  const open: GrpcServerHandle[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  it('reports NOT_SERVING until marked ready, then SERVING for the process and each service', async () => {
    const t = await start();
    open.push(t.server);
    expect(t.server.port).toBeGreaterThan(0);
    expect((await check(t.health)).status).toBe(ServingStatus.NOT_SERVING);
    t.server.markServing();
    expect((await check(t.health)).status).toBe(ServingStatus.SERVING);
    expect((await check(t.health, 'test.echo.v1.EchoService')).status).toBe(ServingStatus.SERVING);
    await expect(check(t.health, 'nope.Service')).rejects.toMatchObject({ code: Status.NOT_FOUND });
  });

  it('maps domain errors to their status and hides unexpected ones behind INTERNAL', async () => {
    const t = await start();
    open.push(t.server);
    await expect(echoUnary(t.echo, { text: '', fail: 'invalid' })).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: 'text: must not be empty',
    });
    await expect(echoUnary(t.echo, { text: 'x', fail: 'not_found' })).rejects.toMatchObject({ code: Status.NOT_FOUND });
    const crash = (await echoUnary(t.echo, { text: 'x', fail: 'crash' }).catch((e: ServiceError) => e)) as ServiceError;
    expect(crash.code).toBe(Status.INTERNAL);
    expect(crash.details).not.toContain('secret');
    const logged = t.lines.find((l) => l.msg === 'unexpected error in handler');
    expect(logged).toMatchObject({ method: '/test.echo.v1.EchoService/Echo', err: { message: 'secret internal detail' } });
  });

  it("tells a handler when its call's headers arrived (CallContext.receivedAt), not when its message did", async () => {
    const t = await start();
    open.push(t.server);
    await echoUnary(t.echo, { text: 'at once' });
    // A raw HTTP/2 client: the headers now, the message 150 ms later (as under overload, when a call's
    // message waits behind other calls' data).
    const session = connect(`http://127.0.0.1:${t.server.port}`);
    try {
      const stream = session.request({ ':method': 'POST', ':path': '/test.echo.v1.EchoService/Echo', 'content-type': 'application/grpc', te: 'trailers' });
      const trailers = new Promise<IncomingHttpHeaders>((resolve) => stream.on('trailers', resolve));
      stream.resume();
      await sleep(150);
      const body = Buffer.from(JSON.stringify({ text: 'late' }));
      const frame = Buffer.alloc(5 + body.length);
      frame.writeUInt32BE(body.length, 1);
      body.copy(frame, 5);
      stream.end(frame);
      expect((await trailers)['grpc-status']).toBe('0');
    } finally {
      session.close();
    }
    const [atOnce, late] = t.handler.waitedMs;
    expect(atOnce).toBeLessThan(50);
    expect(late).toBeGreaterThanOrEqual(140);
  });

  it('does not run a call whose deadline passed while it waited behind another', async () => {
    const t = await start();
    open.push(t.server);
    await echoUnary(t.echo, { text: 'connected' });
    // Sent together: the first blocks the server for 150 ms, so the second's 50 ms deadline passes
    // before its handler would start (and before grpc-js's own deadline timer can fire).
    const blocking = echoUnary(t.echo, { text: 'slow', busyMs: 150 });
    const late = echoUnary(t.echo, { text: 'late' }, new Date(Date.now() + 50)).catch((err: ServiceError) => err);
    await expect(blocking).resolves.toEqual({ text: 'slow' });
    expect(await late).toMatchObject({ code: Status.DEADLINE_EXCEEDED });
    expect(t.handler.started).toBe(2);
  });

  it('adapts server-streaming and client-streaming handlers, errors included', async () => {
    const t = await start();
    open.push(t.server);
    const received: string[] = [];
    const streamError = await new Promise<ServiceError | null>((resolve) => {
      const stream = t.echo.repeat({ text: 'a', fail: 'invalid' });
      stream.on('data', (m: { text: string }) => received.push(m.text));
      stream.on('error', resolve);
      stream.on('end', () => resolve(null));
    });
    expect(received).toEqual(['a0', 'a1', 'a2']);
    expect(streamError).toMatchObject({ code: Status.INVALID_ARGUMENT, details: 'text: stopped after three' });

    const joined = await new Promise((resolve, reject) => {
      const call = t.echo.concat((err: ServiceError | null, res: { text: string }) => (err ? reject(err) : resolve(res.text)));
      for (const text of ['x', 'y', 'z']) call.write({ text });
      call.end();
    });
    expect(joined).toBe('xyz');
  });

  it('counts every call by method and status and times it', async () => {
    const t = await start();
    open.push(t.server);
    await echoUnary(t.echo, { text: 'ok' });
    await echoUnary(t.echo, { text: 'ok' });
    await echoUnary(t.echo, { text: '', fail: 'invalid' }).catch(() => undefined);
    const text = await t.metrics.registry.metrics();
    expect(text).toContain('grpc_server_handled_total{grpc_service="test.echo.v1.EchoService",grpc_method="Echo",grpc_type="unary",grpc_code="OK",service="test"} 2');
    expect(text).toContain('grpc_code="INVALID_ARGUMENT",service="test"} 1');
    const timings = (await t.metrics.handlingSeconds.get()).values;
    const count = timings.find((v) => v.metricName === 'grpc_server_handling_seconds_count' && v.labels.grpc_method === 'Echo');
    expect(count?.value).toBe(3);

    const http = await startMetricsServer(t.metrics, '127.0.0.1', 0);
    try {
      const res = await fetch(`http://127.0.0.1:${http.port}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      expect(await res.text()).toContain('grpc_code="INVALID_ARGUMENT",service="test"} 1');
      expect((await fetch(`http://127.0.0.1:${http.port}/other`)).status).toBe(404);
    } finally {
      await http.close();
    }
  });

  it('counts health checks, crashes, streams and cancelled calls too, and logs what did not end OK', async () => {
    const t = await start();
    open.push(t.server);
    t.server.markServing();
    await check(t.health);
    await expect(echoUnary(t.echo, { text: 'x', fail: 'crash' })).rejects.toMatchObject({ code: Status.INTERNAL });
    await new Promise((resolve) => t.echo.repeat({ text: 'a' }).on('data', () => undefined).on('end', resolve));
    // A call the client gives up on while the handler still waits: CANCELLED, not the handler's later OK.
    const slow = t.echo.echo({ text: 'slow', delayMs: 2_000 }, (() => undefined) as never);
    while (t.handler.started < 2) await new Promise((r) => setTimeout(r, 5));
    slow.cancel();
    let text = '';
    for (let i = 0; i < 100 && !text.includes('grpc_code="CANCELLED"'); i++) {
      await new Promise((r) => setTimeout(r, 10));
      text = await t.metrics.registry.metrics();
    }
    expect(text).toContain('grpc_server_handled_total{grpc_service="grpc.health.v1.Health",grpc_method="Check",grpc_type="unary",grpc_code="OK",service="test"} 1');
    expect(text).toContain('grpc_method="Echo",grpc_type="unary",grpc_code="INTERNAL",service="test"} 1');
    expect(text).toContain('grpc_method="Repeat",grpc_type="server_stream",grpc_code="OK",service="test"} 1');
    expect(text).toContain('grpc_method="Echo",grpc_type="unary",grpc_code="CANCELLED",service="test"} 1');
    expect(text).toMatch(/grpc_server_in_flight\{grpc_service="test.echo.v1.EchoService",grpc_method="Echo",service="test"\} 0/);
    expect(t.lines.find((l) => l.msg === 'rpc failed')).toMatchObject({ method: '/test.echo.v1.EchoService/Echo', code: 'INTERNAL' });
    expect(t.lines.find((l) => l.msg === 'rpc rejected')).toMatchObject({ code: 'CANCELLED' });
  });

  it('lets an in-flight call finish on close, refuses new calls, and resolves once drained', async () => {
    const t = await start();
    t.server.markServing();
    const slow = echoUnary(t.echo, { text: 'slow', delayMs: 300 });
    while (t.handler.started === 0) await new Promise((r) => setTimeout(r, 5));
    let closed = false;
    const closing = t.server.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toBe(false);
    const fresh = new EchoClient(`127.0.0.1:${t.server.port}`, credentials.createInsecure());
    await expect(echoUnary(fresh, { text: 'late' })).rejects.toMatchObject({ code: Status.UNAVAILABLE });
    await expect(slow).resolves.toEqual({ text: 'slow' });
    await closing;
    expect(closed).toBe(true);
  });

  it('goes NOT_SERVING on watchers during the grace period, while still answering', async () => {
    const t = await start({ graceMs: 300, timeoutMs: 5_000 });
    t.server.markServing();
    const seen: ServingStatus[] = [];
    const watchEnded = new Promise<void>((resolve) => {
      const watch = t.health.watch({ service: '' });
      watch.on('data', (m: HealthCheckResponse) => seen.push(m.status));
      watch.on('error', () => resolve());
      watch.on('end', () => resolve());
    });
    while (seen.length === 0) await new Promise((r) => setTimeout(r, 5));
    const closing = t.server.close();
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual([ServingStatus.SERVING, ServingStatus.NOT_SERVING]);
    // Still inside the grace period: a health check gets an answer, and it is NOT_SERVING.
    expect((await check(t.health)).status).toBe(ServingStatus.NOT_SERVING);
    await closing;
    await watchEnded;
  });

  it('cancels calls still running when the shutdown timeout passes', async () => {
    const t = await start({ graceMs: 0, timeoutMs: 200 });
    const stuck = echoUnary(t.echo, { text: 'stuck', delayMs: 60_000 }).catch((e: ServiceError) => e);
    while (t.handler.started === 0) await new Promise((r) => setTimeout(r, 5));
    await t.server.close();
    const err = (await stuck) as ServiceError;
    expect([Status.CANCELLED, Status.UNAVAILABLE]).toContain(err.code);
  });

  it('authorizes each method by its access level before the handler runs; health stays open', async () => {
    const auth = new Authenticator({ adminTokens: ['admin-token-0123456789'], serviceTokens: ['service-token-0123456789'] });
    const t = await start(undefined, auth, ['echo']);
    open.push(t.server);
    t.server.markServing();
    const withToken = (token?: string) =>
      new Promise((resolve, reject) => {
        const md = new Metadata();
        if (token) md.set('authorization', `Bearer ${token}`);
        t.echo.echo({ text: 'hi' }, md, (err: ServiceError | null, res: unknown) => (err ? reject(err) : resolve(res)));
      });
    await expect(withToken()).rejects.toMatchObject({ code: Status.UNAUTHENTICATED });
    await expect(withToken('service-token-0123456789')).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
    await expect(withToken('admin-token-0123456789')).resolves.toEqual({ text: 'hi' });
    expect(t.handler.started).toBe(1);
    expect((await check(t.health)).status).toBe(ServingStatus.SERVING);
  });
});
