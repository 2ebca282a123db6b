/**
 * Tracing's settings and defaults: a leaf, so that the configuration reads OpenTelemetry's standard
 * variables (`OTEL_TRACES_EXPORTER`, `OTEL_EXPORTER_OTLP_…`, `OTEL_SERVICE_NAME`) against them without
 * loading OpenTelemetry. `src/tracing/index.ts` starts what they describe.
 */

/** The names `OTEL_TRACES_EXPORTER` accepts, as a comma-separated list; `none` exports nothing. */
export const traceExporterNames = ['otlp', 'console', 'none'] as const;
export type TraceExporterName = (typeof traceExporterNames)[number];

/**
 * How spans go over OTLP/HTTP: protobuf (the specification's default, what every receiver takes) or JSON.
 * gRPC is not offered: its exporter would bring an HTTP/2 stack for no receiver that lacks port 4318.
 */
export const otlpProtocols = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof otlpProtocols)[number];

/** The service name spans carry unless `OTEL_SERVICE_NAME` says otherwise. */
export const defaultServiceName = 'p2c-hub';

/** OTLP/HTTP on this machine, as a Collector, Jaeger or Tempo listen by default. */
export const defaultOtlpEndpoint = 'http://localhost:4318';

/** The path OTLP/HTTP receivers take traces on, added to `OTEL_EXPORTER_OTLP_ENDPOINT`. */
export const otlpTracesPath = '/v1/traces';

/** Tracing as configured; the configuration gives none (null) when no exporter is, and tracing is off. */
export interface TracingSettings {
  /** Where spans go over OTLP: the full traces URL and its encoding; null when `otlp` is not an exporter. */
  otlp: { url: string; protocol: OtlpProtocol } | null;
  /** Spans printed on standard output as each ends (`OTEL_TRACES_EXPORTER=console`), for a try-out. */
  console: boolean;
  /** `service.name` of every span (`OTEL_SERVICE_NAME`); default `p2c-hub`. */
  serviceName: string;
  /** `service.instance.id` of every span: the instance's name (`HUB_INSTANCE_ID`). */
  serviceInstanceId: string;
}
