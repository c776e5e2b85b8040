// The contract's error body: { error: <wire code>, message: <human text> }, with the wire code's HTTP status. An
// HttpError is the answer a route chose (catalogue code HTTP_<WIRE CODE>); any other coded error with a wire code in
// the catalogue (shared/error-catalogue.ts: ANTRING_DEVICE_OFFLINE → device_offline, …) is answered with it; the rest
// is a 500, logged with its code. Also the answers Node's HTTP parser makes itself (408, 431, 400 on a malformed
// request), written as the same JSON body.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { NextFunction, Request, Response } from 'express';
import { ERROR_STATUS } from '../contract.js';
import type { Logger } from '../log.js';
import { CodedError, type HttpAnswerCode, httpAnswerCode } from '../shared/error-catalogue.js';
import { errSummary } from '../shared/errors.js';

/** The contract's codes (src/contract.ts), including the bridge's own answers (500, 408, 431). */
export const HTTP_ERROR_STATUS = ERROR_STATUS;
export type HttpErrorCode = keyof typeof HTTP_ERROR_STATUS;
export interface HttpErrorBody {
  error: HttpErrorCode;
  message: string;
}

export class HttpError extends CodedError {
  override readonly name = 'HttpError';
  declare readonly code: HttpAnswerCode;
  /** The contract's code, as the body's `error`. */
  readonly wireCode: HttpErrorCode;
  constructor(
    wire: HttpErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(httpAnswerCode(wire), message);
    this.wireCode = wire;
  }
  get status(): number {
    return HTTP_ERROR_STATUS[this.wireCode];
  }
  body(): HttpErrorBody {
    return { error: this.wireCode, message: this.message };
  }
}

export function sendError(res: Response, err: HttpError): void {
  for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  res.status(err.status).json(err.body());
}

export function notFound(_req: Request, _res: Response, next: NextFunction): void {
  next(new HttpError('not_found', 'no such route'));
}

/** Last middleware: every error becomes the contract's JSON body; unknown errors are logged, never echoed. */
export function errorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const known = knownError(err);
    if (known) {
      sendError(res, known);
      return;
    }
    // A bug inside the bridge: 500. Upstream failures arrive here already as HttpError (502/503) from their routes.
    logger.error({ err: errSummary(err), path: req.path }, 'unhandled request error');
    if (!res.headersSent) sendError(res, new HttpError('internal_error', 'internal error'));
    else res.destroy();
  };
}

/** The HttpError an error stands for, when it is ours or a client's error reported by Express or body-parser. */
function knownError(err: unknown): HttpError | undefined {
  if (err instanceof HttpError) return err;
  // A coded error the catalogue gives a wire code (a client's answer), with its own message (never a secret).
  const wire = err instanceof CodedError ? err.wire : undefined;
  if (wire !== undefined) return new HttpError(wire, (err as Error).message);
  const type = (err as { type?: string } | null)?.type;
  if (type === 'entity.parse.failed') return new HttpError('invalid_body', 'the body is not valid JSON');
  if (type === 'entity.too.large') return new HttpError('invalid_body', 'the body is too large');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported')
    return new HttpError('invalid_body', 'unsupported body encoding');
  if (type === 'request.size.invalid' || type === 'request.aborted')
    return new HttpError('invalid_body', 'the body was not received whole');
  // Other client errors of Express and body-parser (http-errors with expose, a path parameter that is not valid
  // percent-encoding). Not an upstream client's error that happens to carry a status.
  const e = err as { status?: unknown; statusCode?: unknown; expose?: unknown } | null;
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500 && (e?.expose === true || err instanceof URIError)) {
    return status === 404 ? new HttpError('not_found', 'no such route') : new HttpError('invalid_body', 'bad request');
  }
  return undefined;
}

/** What Node's parser reports on a connection (`clientError`), as the JSON error the bridge answers with. */
export function clientErrorOf(code: string | undefined): HttpError {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return new HttpError('request_timeout', 'the request was not received in time');
  if (code === 'HPE_HEADER_OVERFLOW') return new HttpError('headers_too_large', 'the request headers are too large');
  return new HttpError('invalid_body', 'malformed HTTP request');
}

/** `server.on('clientError')`: Node's own answers (408, 431, 400) with the contract's JSON body, then the connection is
 *  closed. Nothing is written when a response has already started on it or the peer is gone (as Node does). */
export function clientErrorResponder(logger: Logger) {
  return (err: Error & { code?: string }, socket: Duplex): void => {
    const started =
      (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
    if (err.code === 'ECONNRESET' || err.code === 'EPIPE' || !socket.writable || started) {
      socket.destroy();
      return;
    }
    const e = clientErrorOf(err.code);
    logger.debug({ code: err.code, status: e.status }, 'http client error answered');
    const body = JSON.stringify(e.body());
    socket.end(
      `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
    // A peer that never reads must not keep the descriptor: the socket goes once the answer is flushed, or soon.
    socket.once('finish', () => socket.destroy());
    setTimeout(() => socket.destroy(), 1000).unref();
  };
}
