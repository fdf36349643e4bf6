/**
 * Reads API answers defensively: the original Java server and this project's server agree on the contract,
 * but old rows carry nulls, `meta_info` is any JSON, and dates may come as ISO strings or epoch millis.
 */
import type { BatchResolutionOutcome, BatchResolutionStatus } from '../shared/resolution-batch.js';
import type { Page, Violation, ViolationType } from '../shared/violation.js';
import type { Lifecycle } from '../shared/lifecycle.js';
import { isPlainObject } from '../shared/guards.js';
import { date, int, str } from './json-fields.js';
import { InvalidResponseError, type RequestInfo } from './errors.js';

type Json = Record<string, unknown>;

/** Whether JSON.parse failed at the very end of `text` ("Unexpected end of JSON input", "… at position <length>"). */
function endsMidWay(text: string, message: string): boolean {
  if (/end of JSON input/.test(message)) return true;
  const at = /at position (\d+)/.exec(message);
  return at !== null && Number(at[1]) >= text.trimEnd().length;
}

/**
 * Parses a JSON body; when it is not JSON the error names `what` and the request. A body that ends mid-way is told
 * apart: a server (or proxy) that closes a response without Content-Length or chunks cuts it off unnoticed.
 */
export function parseJson(text: string, what: string, request?: RequestInfo): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const problem =
      text.trim() === ''
        ? `the server sent an empty answer for ${what}`
        : endsMidWay(text, (error as Error).message)
          ? `the server's answer for ${what} ends mid-way (cut off?)`
          : `the server sent malformed JSON for ${what}`;
    throw new InvalidResponseError(request ? `${request.method} ${request.url}: ${problem}` : problem);
  }
}

/** Normalises one violation type; `value` may also be a bare type id. */
export function toViolationType(value: unknown): ViolationType {
  const body = isPlainObject(value) ? value : { id: str(value) ?? '' };
  return {
    id: str(body.id) ?? '',
    help_text: str(body.help_text),
    violation_severity: int(body.violation_severity),
    audit_relevant: body.audit_relevant === true || body.is_audit_relevant === true,
    title: str(body.title),
    priority: int(body.priority),
    version: int(body.version) ?? 0,
    created: date(body.created),
    created_by: str(body.created_by),
    last_modified: date(body.last_modified),
    last_modified_by: str(body.last_modified_by),
  };
}

/** Normalises one violation, or throws InvalidResponseError when it has no numeric id. */
export function toViolation(value: unknown): Violation {
  if (!isPlainObject(value) || int(value.id) === null) {
    throw new InvalidResponseError('the server sent a violation without a numeric id');
  }
  return {
    id: value.id as number,
    version: int(value.version) ?? 0,
    event_id: str(value.event_id),
    account_id: str(value.account_id),
    region: str(value.region),
    meta_info: value.meta_info ?? null,
    comment: str(value.comment),
    instance_id: str(value.instance_id),
    plugin_fully_qualified_class_name: str(value.plugin_fully_qualified_class_name),
    violation_type: toViolationType(value.violation_type),
    created: date(value.created),
    created_by: str(value.created_by),
    last_modified: date(value.last_modified),
    last_modified_by: str(value.last_modified_by),
    username: str(value.username),
    rule_id: int(value.rule_id),
    application_id: str(value.application_id),
    application_version_id: str(value.application_version_id),
  };
}

/** Normalises a Spring page envelope; a bare array is read as one last page. */
export function toViolationPage(value: unknown): Page<Violation> {
  return toPage(value, toViolation);
}

/** Normalises one lifecycle record (the original's LifecylceDTO); dates may come as ISO strings or epoch millis. */
export function toLifecycle(value: unknown): Lifecycle {
  if (!isPlainObject(value)) throw new InvalidResponseError('the server sent a lifecycle record that is not an object');
  return {
    application: str(value.application),
    version: str(value.version),
    event_date: date(value.event_date),
    image_id: str(value.image_id),
    image_name: str(value.image_name),
    region: str(value.region),
    instance_boot_time: date(value.instance_boot_time),
    event_type: str(value.event_type),
    instance_id: str(value.instance_id),
    created: date(value.created),
  };
}

export function toLifecyclePage(value: unknown): Page<Lifecycle> {
  return toPage(value, toLifecycle);
}

function toPage<T>(value: unknown, item: (value: unknown) => T): Page<T> {
  const body: Json = Array.isArray(value) ? { content: value, last: true } : isPlainObject(value) ? value : {};
  if (!Array.isArray(body.content)) {
    throw new InvalidResponseError('the server sent a page without a "content" list');
  }
  const content = body.content.map(item);
  const size = int(body.size) ?? content.length;
  const number = int(body.number) ?? 0;
  const totalPages = int(body.total_pages) ?? number + 1;
  return {
    content,
    total_elements: int(body.total_elements) ?? content.length,
    total_pages: totalPages,
    size,
    number,
    number_of_elements: int(body.number_of_elements) ?? content.length,
    first: typeof body.first === 'boolean' ? body.first : number === 0,
    last: typeof body.last === 'boolean' ? body.last : number + 1 >= totalPages,
    sort: Array.isArray(body.sort) ? (body.sort as Page<T>['sort']) : [],
  };
}

/**
 * Reads the answer of `POST /api/violations/resolutions`. A status this client does not know is kept as sent:
 * the caller reports it as a failure of that id rather than failing the whole batch.
 */
export function toBatchOutcomes(value: unknown): BatchResolutionOutcome[] {
  const results = isPlainObject(value) ? value.results : undefined;
  if (!Array.isArray(results)) {
    throw new InvalidResponseError('the server sent a batch resolution answer without a "results" list');
  }
  return results.map((item: unknown) => {
    if (!isPlainObject(item) || int(item.id) === null || typeof item.status !== 'string') {
      throw new InvalidResponseError('the server sent a batch resolution outcome without a numeric id and a status');
    }
    const outcome: BatchResolutionOutcome = { id: item.id as number, status: item.status as BatchResolutionStatus };
    if (typeof item.message === 'string') outcome.message = item.message;
    return outcome;
  });
}
