// The contract's error body: { error: <code>, message: <human text> }, with the code's HTTP status.
import type { NextFunction, Request, Response } from 'express';
import { ERROR_STATUS, type ErrorBody, type ErrorCode } from '../contract.js';
import type { Logger } from '../log.js';

export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(readonly code: ErrorCode, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
  get status(): number {
    return ERROR_STATUS[this.code];
  }
  body(): ErrorBody {
    return { error: this.code, message: this.message };
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
    if (err instanceof HttpError) return sendError(res, err);
    const type = (err as { type?: string } | null)?.type;
    if (type === 'entity.parse.failed') return sendError(res, new HttpError('invalid_body', 'the body is not valid JSON'));
    if (type === 'entity.too.large') return sendError(res, new HttpError('invalid_body', 'the body is too large'));
    if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
      return sendError(res, new HttpError('invalid_body', 'unsupported body encoding'));
    }
    if (type === 'request.size.invalid' || type === 'request.aborted') {
      return sendError(res, new HttpError('invalid_body', 'the body was not received whole'));
    }
    // Other client errors of Express and body-parser (http-errors with expose, a path parameter that is not valid
    // percent-encoding). Not an upstream client's error that happens to carry a status.
    const e = err as { status?: unknown; statusCode?: unknown; expose?: unknown } | null;
    const status = e?.status ?? e?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500 && (e?.expose === true || err instanceof URIError)) {
      return sendError(res, status === 404 ? new HttpError('not_found', 'no such route') : new HttpError('invalid_body', 'bad request'));
    }
    logger.error({ err: err instanceof Error ? { name: err.name, message: err.message } : String(err), path: req.path }, 'unhandled request error');
    if (!res.headersSent) sendError(res, new HttpError('upstream_error', 'internal error'));
  };
}
