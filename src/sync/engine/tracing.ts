/**
 * Sync runs as OpenTelemetry spans (src/tracing): each flow of a run is a trace of its own, a `sync
 * <flow>` span holding a `sync page` span for every page the engine compares, writes and commits (its
 * claims, decided in read order before, make no request), and the back-end requests made on the way as
 * their children (a source read, made ahead while pages are in flight, falls inside the flow's span or a
 * page's). Both carry the run id and the flow; a page its number and counts.
 */
import { type Attributes, type Span, SpanKind } from '@opentelemetry/api';
import type { Counters } from '../../db/runs.js';
import { failSpan, tracer, tracingEnabled } from '../../tracing/tracer.js';
import type { SourcePage } from './read.js';
import type { FlowRunner, FlowRunRequest } from './types.js';

/**
 * `runner`, each flow run inside its span: a root, not a child of whatever was active (the mutation that
 * queued the run has long been answered when a worker runs it).
 */
export function traceFlowRuns(runner: FlowRunner): FlowRunner {
  return (request) => {
    if (!tracingEnabled) return runner(request);
    const attributes: Attributes = {
      ...runAttributes(request),
      'p2c.sync.mode': request.mode,
      'p2c.sync.dry_run': request.dryRun,
    };
    return tracer().startActiveSpan(
      `sync ${request.flow}`,
      { kind: SpanKind.INTERNAL, root: true, attributes },
      async (span) => {
        try {
          const result = await runner(request);
          span.setAttribute('p2c.sync.outcome', result.status);
          // The flow's error is a sentence any reader of the run may see; its detail stays in the run.
          if (result.status === 'failed') failSpan(span, 'flow_failed', result.error);
          return result;
        } finally {
          span.end();
        }
      },
    );
  };
}

/**
 * Runs `handle(page)` (process and commit one page) inside the page's span, numbered from 1 in this flow
 * run, and records the page's counters on it.
 */
export function tracePage<P extends { page: SourcePage }>(
  request: FlowRunRequest,
  pageNumber: number,
  page: P,
  handle: (page: P) => Promise<Counters>,
): Promise<Counters> {
  if (!tracingEnabled) return handle(page);
  const attributes: Attributes = {
    ...runAttributes(request),
    'p2c.sync.page': pageNumber,
    'p2c.sync.records.read': page.page.rows.length,
  };
  return tracer().startActiveSpan('sync page', { kind: SpanKind.INTERNAL, attributes }, async (span) => {
    try {
      const counters = await handle(page);
      recordCounters(span, counters);
      return counters;
    } catch (error) {
      failSpan(span, error instanceof Error ? error.name : 'error', 'The page was not committed.');
      throw error;
    } finally {
      span.end();
    }
  });
}

function runAttributes(request: FlowRunRequest): Attributes {
  return { 'p2c.run_id': request.runId, 'p2c.flow': request.flow };
}

function recordCounters(span: Span, counters: Counters): void {
  for (const [name, value] of Object.entries(counters)) span.setAttribute(`p2c.sync.records.${name}`, value);
}
