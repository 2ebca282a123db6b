/**
 * OData `$batch` bodies in the multipart/mixed format (OData 4.0 part 1 §11.7), the only batch format
 * Dataverse accepts and the one F&O documents. Shared by the connectors (encode requests, decode responses)
 * and the simulators (decode requests, encode responses), so both ends agree on one implementation.
 *
 * A batch is a list of items; each item is a single request or a change set (an atomic group). Every part
 * is a whole HTTP message (`application/http`, `Content-Transfer-Encoding: binary`). Parsing accepts CRLF
 * or bare LF line ends, since servers and hand-written clients differ.
 */

export type Headers = Record<string, string>;

export interface BatchRequest {
  method: string;
  /** Absolute URL, or relative to the service root, or `$n` referring to an earlier Content-ID. */
  url: string;
  headers: Headers;
  body?: string;
  /** Content-ID of the part; change-set members may be referenced later as `$<id>`. */
  contentId?: string;
}

export interface BatchResponse {
  status: number;
  statusText?: string;
  headers: Headers;
  body: string;
  contentId?: string;
}

export type BatchItem<T> = { kind: 'single'; part: T } | { kind: 'changeset'; parts: T[] };

const CRLF = '\r\n';

/** A boundary unlikely to appear in a body: prefix plus random hex (`batch_…`, `changeset_…`). */
export function newBoundary(prefix: 'batch' | 'changeset' | 'batchresponse' | 'changesetresponse'): string {
  return `${prefix}_${crypto.randomUUID()}`;
}

/** Reads `boundary=` from a multipart Content-Type header; throws when it is missing. */
export function boundaryOf(contentType: string | undefined): string {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  const boundary = match?.[1] ?? match?.[2];
  if (!contentType || !/^multipart\/mixed/i.test(contentType.trim()) || !boundary) {
    throw new MultipartError(
      `Expected Content-Type multipart/mixed with a boundary, got "${contentType ?? ''}"`,
    );
  }
  return boundary;
}

export class MultipartError extends Error {
  override name = 'MultipartError';
}

// ---------------------------------------------------------------------------------------------- encoding

export function encodeBatchRequest(
  items: BatchItem<BatchRequest>[],
  boundary = newBoundary('batch'),
): string {
  return encodeItems(items, boundary, 'changeset', encodeRequestMessage);
}

export function encodeBatchResponse(
  items: BatchItem<BatchResponse>[],
  boundary = newBoundary('batchresponse'),
): string {
  return encodeItems(items, boundary, 'changesetresponse', encodeResponseMessage);
}

function encodeItems<T extends { contentId?: string }>(
  items: BatchItem<T>[],
  boundary: string,
  changesetPrefix: 'changeset' | 'changesetresponse',
  encodeMessage: (part: T) => string,
): string {
  let out = '';
  for (const item of items) {
    out += `--${boundary}${CRLF}`;
    if (item.kind === 'single') {
      out += encodeHttpPart(item.part, encodeMessage);
    } else {
      const inner = newBoundary(changesetPrefix);
      out += `Content-Type: multipart/mixed; boundary=${inner}${CRLF}${CRLF}`;
      for (const part of item.parts) out += `--${inner}${CRLF}${encodeHttpPart(part, encodeMessage)}`;
      out += `--${inner}--${CRLF}`;
    }
  }
  return `${out}--${boundary}--${CRLF}`;
}

function encodeHttpPart<T extends { contentId?: string }>(
  part: T,
  encodeMessage: (part: T) => string,
): string {
  let head = `Content-Type: application/http${CRLF}Content-Transfer-Encoding: binary${CRLF}`;
  if (part.contentId !== undefined) head += `Content-ID: ${part.contentId}${CRLF}`;
  return `${head}${CRLF}${encodeMessage(part)}${CRLF}`;
}

function encodeRequestMessage(request: BatchRequest): string {
  const lines = [`${request.method.toUpperCase()} ${request.url} HTTP/1.1`];
  for (const [name, value] of Object.entries(request.headers)) lines.push(`${name}: ${value}`);
  return `${lines.join(CRLF)}${CRLF}${CRLF}${request.body ?? ''}`;
}

function encodeResponseMessage(response: BatchResponse): string {
  const lines = [
    `HTTP/1.1 ${response.status} ${response.statusText ?? statusTexts[response.status] ?? ''}`.trimEnd(),
  ];
  for (const [name, value] of Object.entries(response.headers)) lines.push(`${name}: ${value}`);
  return `${lines.join(CRLF)}${CRLF}${CRLF}${response.body}`;
}

// ---------------------------------------------------------------------------------------------- decoding

export function decodeBatchRequest(body: string, contentType: string | undefined): BatchItem<BatchRequest>[] {
  return decodeItems(body, boundaryOf(contentType), parseRequestMessage);
}

export function decodeBatchResponse(
  body: string,
  contentType: string | undefined,
): BatchItem<BatchResponse>[] {
  return decodeItems(body, boundaryOf(contentType), parseResponseMessage);
}

function decodeItems<T extends { contentId?: string }>(
  body: string,
  boundary: string,
  parseMessage: (text: string) => T,
): BatchItem<T>[] {
  return splitMultipart(body, boundary).map((raw) => {
    const { headers, body: content } = splitHeaders(raw);
    const type = headers['content-type'] ?? '';
    if (/^multipart\/mixed/i.test(type)) {
      const parts = splitMultipart(content, boundaryOf(type)).map((inner) =>
        parseHttpPart(inner, parseMessage),
      );
      return { kind: 'changeset', parts };
    }
    return { kind: 'single', part: withContentId(parseMessage(content), headers) };
  });
}

function parseHttpPart<T extends { contentId?: string }>(raw: string, parseMessage: (text: string) => T): T {
  const { headers, body } = splitHeaders(raw);
  return withContentId(parseMessage(body), headers);
}

function withContentId<T extends { contentId?: string }>(message: T, partHeaders: Headers): T {
  const contentId = partHeaders['content-id'];
  return contentId === undefined ? message : { ...message, contentId };
}

function parseRequestMessage(text: string): BatchRequest {
  const { startLine, headers, body } = splitMessage(text);
  const match = /^([A-Z]+)\s+(\S+)(?:\s+HTTP\/\d\.\d)?$/i.exec(startLine);
  if (!match) throw new MultipartError(`Malformed request line in batch part: "${startLine.slice(0, 200)}"`);
  return { method: match[1]!.toUpperCase(), url: match[2]!, headers, body };
}

function parseResponseMessage(text: string): BatchResponse {
  const { startLine, headers, body } = splitMessage(text);
  const match = /^HTTP\/\d\.\d\s+(\d{3})\s*(.*)$/i.exec(startLine);
  if (!match) throw new MultipartError(`Malformed status line in batch part: "${startLine.slice(0, 200)}"`);
  return { status: Number(match[1]), statusText: match[2] ?? '', headers, body };
}

/** Splits a multipart body into its raw parts (text between delimiters), ignoring preamble and epilogue. */
function splitMultipart(body: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  const parts: string[] = [];
  let position = body.indexOf(delimiter);
  if (position < 0) throw new MultipartError(`Batch body has no part delimited by "${delimiter}"`);
  for (;;) {
    const afterDelimiter = position + delimiter.length;
    if (body.startsWith('--', afterDelimiter)) return parts; // close delimiter
    const start = skipLineEnd(body, afterDelimiter);
    const next = findDelimiter(body, delimiter, start);
    if (next < 0) throw new MultipartError(`Batch body is missing its closing delimiter "${delimiter}--"`);
    parts.push(trimTrailingLineEnd(body.slice(start, next)));
    position = next;
  }
}

/** A delimiter only counts at the start of a line. */
function findDelimiter(body: string, delimiter: string, from: number): number {
  let index = body.indexOf(delimiter, from);
  while (index > 0 && body[index - 1] !== '\n') index = body.indexOf(delimiter, index + 1);
  return index;
}

function skipLineEnd(text: string, index: number): number {
  let i = index;
  while (text[i] === ' ' || text[i] === '\t') i++;
  if (text[i] === '\r') i++;
  if (text[i] === '\n') i++;
  return i;
}

function trimTrailingLineEnd(text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2);
  if (text.endsWith('\n')) return text.slice(0, -1);
  return text;
}

/** Headers up to the first empty line (names lower-cased), then the rest as the body. */
function splitHeaders(raw: string): { headers: Headers; body: string } {
  const match = /\r?\n\r?\n/.exec(raw);
  const headText = match ? raw.slice(0, match.index) : raw;
  const body = match ? raw.slice(match.index + match[0].length) : '';
  const headers: Headers = {};
  for (const line of headText.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MultipartError(`Malformed header line in batch part: "${line.slice(0, 200)}"`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body };
}

function splitMessage(text: string): { startLine: string; headers: Headers; body: string } {
  const trimmed = text.replace(/^(\r?\n)+/, '');
  const lineEnd = /\r?\n/.exec(trimmed);
  const startLine = (lineEnd ? trimmed.slice(0, lineEnd.index) : trimmed).trim();
  const rest = lineEnd ? trimmed.slice(lineEnd.index + lineEnd[0].length) : '';
  // A message with no headers has its empty line right after the start line.
  const { headers, body } = /^\r?\n/.test(rest)
    ? { headers: {}, body: rest.replace(/^\r?\n/, '') }
    : splitHeaders(rest);
  return { startLine, headers, body };
}

const statusTexts: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  304: 'Not Modified',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  424: 'Failed Dependency',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};
