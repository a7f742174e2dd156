// A fake OpenAI-compatible endpoint for the demo, the tests and the benchmark: POST /v1/chat/completions on
// 127.0.0.1, answers scripted per request, every request recorded. It is as strict as the parts of the API that
// pipeline-audit uses, citing the API reference for each rule:
// - Chat Completions: https://platform.openai.com/docs/api-reference/chat/create (request: `model`, `messages`;
//   `response_format: { type: 'json_schema', json_schema: { name, schema, strict } }` for structured outputs) and
//   the response object https://platform.openai.com/docs/api-reference/chat/object (`id`, `object:
//   'chat.completion'`, `created`, `model`, `choices[].message.content`, `finish_reason`, `usage`).
// - Authentication: `Authorization: Bearer <key>` (https://platform.openai.com/docs/api-reference/authentication);
//   a wrong key is 401 `invalid_api_key`.
// - Errors: `{ error: { message, type, param, code } }` with the HTTP status; 429 carries Retry-After
//   (https://platform.openai.com/docs/guides/error-codes, https://platform.openai.com/docs/guides/rate-limits).
// The SDK's chat model only calls /chat/completions (docs/test-peers.md §4.1), so that is the only route.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeReply =
  /** 200 with `content` as the assistant message (a JSON answer, broken JSON, prose: whatever the test needs). */
  | { kind: 'content'; content: string; usage?: { prompt: number; completion: number }; finishReason?: 'stop' | 'length' }
  /** An error status with OpenAI's error body; `retryAfter` (seconds) sets the Retry-After header. */
  | { kind: 'error'; status: number; type: string; code: string | null; message: string; retryAfter?: number }
  /** Never answers; the socket is closed by the client's timeout or by `stop()`. */
  | { kind: 'hang' };

export const reply = {
  json: (value: unknown, usage = { prompt: 1200, completion: 150 }): FakeReply => ({ kind: 'content', content: JSON.stringify(value), usage }),
  text: (content: string): FakeReply => ({ kind: 'content', content, usage: { prompt: 1200, completion: 150 } }),
  rateLimited: (retryAfter = 1): FakeReply => ({ kind: 'error', status: 429, type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached for requests. Please try again later.', retryAfter }),
  serverError: (status = 500): FakeReply => ({ kind: 'error', status, type: 'server_error', code: null, message: 'The server had an error while processing your request.' }),
  hang: (): FakeReply => ({ kind: 'hang' }),
};

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | null;
  /** The parsed JSON body (null when it was not JSON). */
  body: Record<string, unknown> | null;
}

export interface FakeOpenAI {
  /** The base URL to configure, ending in /v1. */
  baseUrl: string;
  apiKey: string;
  requests: RecordedRequest[];
  /** Answers for the next requests, in order; when none is left, `fallbackReply` answers. */
  enqueue(...replies: FakeReply[]): void;
  stop(): Promise<void>;
}

export interface FakeOpenAIOptions {
  apiKey?: string;
  replies?: FakeReply[];
  /** What answers once the queue is empty (default: a 500, so a test never passes on an unscripted call). */
  fallbackReply?: FakeReply;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text).toString(), ...headers });
  res.end(text);
}

function apiError(res: ServerResponse, status: number, type: string, code: string | null, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: { message, type, param: null, code } }, headers);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeOpenAI(opts: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const apiKey = opts.apiKey ?? 'test-key';
  const queue: FakeReply[] = [...(opts.replies ?? [])];
  const fallbackReply = opts.fallbackReply ?? reply.serverError(500);
  const requests: RecordedRequest[] = [];
  let served = 0;

  const server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      let body: Record<string, unknown> | null = null;
      try {
        const parsed: unknown = JSON.parse(raw);
        if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
      } catch {
        body = null;
      }
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      requests.push({ method: req.method ?? '', path, authorization: req.headers.authorization ?? null, body });

      if (path !== '/v1/chat/completions') return apiError(res, 404, 'invalid_request_error', 'unknown_url', `Unknown request URL: ${req.method} ${path}.`);
      if (req.method !== 'POST') return apiError(res, 405, 'invalid_request_error', 'method_not_allowed', 'Use POST.');
      if (req.headers.authorization !== `Bearer ${apiKey}`) return apiError(res, 401, 'invalid_request_error', 'invalid_api_key', 'Incorrect API key provided.');
      if (body === null) return apiError(res, 400, 'invalid_request_error', null, 'We could not parse the JSON body of your request.');
      if (typeof body.model !== 'string' || body.model === '') return apiError(res, 400, 'invalid_request_error', null, "you must provide a model parameter");
      if (!Array.isArray(body.messages) || body.messages.length === 0) return apiError(res, 400, 'invalid_request_error', null, "'messages' must be a non-empty array");

      const next = queue.shift() ?? fallbackReply;
      served++;
      switch (next.kind) {
        case 'hang':
          return; // left open on purpose: the client's abort or stop() closes the socket
        case 'error':
          return apiError(res, next.status, next.type, next.code, next.message, next.retryAfter === undefined ? {} : { 'retry-after': String(next.retryAfter) });
        case 'content':
          return sendJson(res, 200, {
            id: `chatcmpl-fake-${served}`,
            object: 'chat.completion',
            created: 1_700_000_000 + served,
            model: body.model,
            choices: [{ index: 0, message: { role: 'assistant', content: next.content, refusal: null }, logprobs: null, finish_reason: next.finishReason ?? 'stop' }],
            usage: { prompt_tokens: next.usage?.prompt ?? 0, completion_tokens: next.usage?.completion ?? 0, total_tokens: (next.usage?.prompt ?? 0) + (next.usage?.completion ?? 0) },
          });
      }
    })().catch(() => {
      if (!res.headersSent) apiError(res, 500, 'server_error', null, 'fake server failure');
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    apiKey,
    requests,
    enqueue: (...replies) => void queue.push(...replies),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections(); // includes a hung request's socket
        server.close(() => resolve());
      }),
  };
}
