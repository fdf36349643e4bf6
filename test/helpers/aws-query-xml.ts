/** XML answers of the AWS query protocols (EC2's and the STS/IAM one) for the AWS stand-in. */
import { randomUUID } from 'node:crypto';
import type { Answer } from './stand-in.js';

export const NAMESPACES: Record<string, string> = {
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
  ec2: 'http://ec2.amazonaws.com/doc/2016-11-15/',
};

const escape = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** `{ a: 'x', b: [..] }` → `<a>x</a><b>..</b>`; arrays become `<item>` (EC2) or `<member>` (STS/IAM) lists. */
export function toXml(value: unknown, listItem: 'item' | 'member'): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value))
    return value.map((entry) => `<${listItem}>${toXml(entry, listItem)}</${listItem}>`).join('');
  if (typeof value === 'object')
    return Object.entries(value as Record<string, unknown>)
      .map(([key, child]) => `<${key}>${toXml(child, listItem)}</${key}>`)
      .join('');
  return escape(String(value));
}

const xml = (status: number, body: string): Answer => ({
  status,
  body: `<?xml version="1.0" encoding="UTF-8"?>\n${body}`,
  contentType: 'text/xml',
});

export function success(service: string, action: string, result: Record<string, unknown>): Answer {
  const ns = NAMESPACES[service] ?? '';
  if (service === 'ec2')
    return xml(
      200,
      `<${action}Response xmlns="${ns}"><requestId>${randomUUID()}</requestId>${toXml(result, 'item')}</${action}Response>`,
    );
  return xml(
    200,
    `<${action}Response xmlns="${ns}"><${action}Result>${toXml(result, 'member')}</${action}Result>` +
      `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
  );
}

export function failure(service: string, status: number, code: string, message: string): Answer {
  if (service === 'ec2')
    return xml(
      status,
      `<Response><Errors><Error><Code>${escape(code)}</Code><Message>${escape(message)}</Message></Error></Errors>` +
        `<RequestID>${randomUUID()}</RequestID></Response>`,
    );
  return xml(
    status,
    `<ErrorResponse xmlns="${NAMESPACES[service] ?? ''}"><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
      `<Code>${escape(code)}</Code><Message>${escape(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  );
}
