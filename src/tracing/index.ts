/**
 * OpenTelemetry tracing: started by `main` when an exporter is configured (`OTEL_TRACES_EXPORTER`, an
 * `OTEL_EXPORTER_OTLP_…ENDPOINT`; see src/tracing/settings.ts), off otherwise. The SDK and the exporters
 * are imported here and only here, when tracing starts, so a hub without tracing never loads them: its
 * hooks see `tracingEnabled` false and do nothing else.
 *
 * Spans are batched and sent over OTLP/HTTP (protobuf or JSON) to a Collector, Jaeger, Tempo or any
 * OTLP receiver, and/or printed on standard output as each ends (`console`, for a try-out). The SDK
 * reads the rest of its standard variables itself: `OTEL_EXPORTER_OTLP_HEADERS` (a vendor's key),
 * `OTEL_EXPORTER_OTLP_TIMEOUT`, `OTEL_TRACES_SAMPLER` and `OTEL_BSP_…`.
 */
import { inspect } from 'node:util';
import { context, diag, DiagLogLevel, type DiagLogger, propagation, trace } from '@opentelemetry/api';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-node';
import type { Logger } from '../logging.js';
import type { OtlpProtocol, TracingSettings } from './settings.js';
import { setTracer, tracerName, tracingEnabled } from './tracer.js';

export type { TracingSettings } from './settings.js';
export { tracingEnabled } from './tracer.js';

/** Tracing as started: what `main` (and a test) flushes and shuts down. */
export interface Tracing {
  /** Whether spans are being made and exported. */
  readonly enabled: boolean;
  /** Sends the spans still batched, and resolves once the exporters have them. */
  flush(): Promise<void>;
  /** Sends what is left and turns tracing off again (the hooks go back to doing nothing). */
  shutdown(): Promise<void>;
}

const tracingOff: Tracing = { enabled: false, flush: async () => {}, shutdown: async () => {} };

/** OpenTelemetry's own complaints (an export that failed, spans dropped) are logged at most this often. */
const diagnosticsIntervalMs = 60_000;

/**
 * Starts tracing as `settings` say, or nothing when they are null. Call it before the hub starts, so
 * every operation, back-end request and sync page is traced; one tracing at a time per process.
 */
export async function startTracing(settings: TracingSettings | null, logger: Logger): Promise<Tracing> {
  if (settings === null) return tracingOff;
  if (tracingEnabled) throw new Error('Tracing is already on in this process: shut it down first.');
  const [sdk, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/resources'),
  ]);
  const spanProcessors: SpanProcessor[] = [];
  if (settings.otlp) {
    spanProcessors.push(new sdk.BatchSpanProcessor(await otlpExporter(settings.otlp)));
  }
  // One line a span, at once: a try-out wants to see each operation as it happens.
  if (settings.console) spanProcessors.push(new sdk.SimpleSpanProcessor(new sdk.ConsoleSpanExporter()));
  const provider = new sdk.NodeTracerProvider({
    resource: resourceFromAttributes({
      'service.name': settings.serviceName,
      'service.instance.id': settings.serviceInstanceId,
    }),
    spanProcessors,
  });
  // The global provider, the AsyncLocalStorage context manager (the active span follows every await, so
  // a back-end request made while resolving is a child of its operation), and W3C trace context, so a
  // caller's `traceparent` makes the operation part of the caller's trace.
  provider.register();
  diag.setLogger(diagnostics(logger), DiagLogLevel.WARN);
  setTracer(provider.getTracer(tracerName));
  logger.info(describe(settings));
  let stopped: Promise<void> | undefined;
  return {
    enabled: true,
    flush: () => provider.forceFlush(),
    shutdown: () =>
      (stopped ??= (async () => {
        setTracer(null);
        try {
          await provider.shutdown();
        } finally {
          trace.disable();
          context.disable();
          propagation.disable();
          diag.disable();
        }
      })()),
  };
}

async function otlpExporter({
  url,
  protocol,
}: {
  url: string;
  protocol: OtlpProtocol;
}): Promise<SpanExporter> {
  const { OTLPTraceExporter } =
    protocol === 'http/json'
      ? await import('@opentelemetry/exporter-trace-otlp-http')
      : await import('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter({ url });
}

/** The start-up line: where spans go (the URL without credentials or a query, which may hold a key). */
function describe(settings: TracingSettings): string {
  const where: string[] = [];
  if (settings.otlp) {
    const url = new URL(settings.otlp.url);
    url.username = '';
    url.password = '';
    url.search = '';
    where.push(`to ${url.href} over OTLP (${settings.otlp.protocol})`);
  }
  if (settings.console) where.push('to standard output (console)');
  return `Tracing: spans of service ${settings.serviceName} go ${where.join(' and ')}`;
}

/**
 * OpenTelemetry's diagnostics as warnings of the hub's log. A receiver that is down fails every batch
 * (every 5 s): one line a minute says so, with how many were held back.
 */
function diagnostics(logger: Logger): DiagLogger {
  let quietUntil = 0;
  let heldBack = 0;
  const warn = (message: string, ...args: unknown[]) => {
    const now = Date.now();
    if (now < quietUntil) {
      heldBack += 1;
      return;
    }
    quietUntil = now + diagnosticsIntervalMs;
    const detail = args.map((arg) => (typeof arg === 'string' ? arg : inspect(arg, { depth: 2 })));
    logger.warn(heldBack > 0 ? { heldBack } : {}, `Tracing: ${[message, ...detail].join(' ')}`);
    heldBack = 0;
  };
  const quiet = () => {};
  return { error: warn, warn, info: quiet, debug: quiet, verbose: quiet };
}
