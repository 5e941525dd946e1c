/**
 * Polite, bounded fetching of articles and feeds: http(s) only, a timeout, a size cap, a
 * redirect cap (each hop checked), a user agent naming the project, an expected content type;
 * and, for links from Discord, no private, loopback or link-local address (server-side request
 * forgery), checked at connection time so a DNS answer cannot slip one in.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, fetch } from 'undici';
import { UserError } from '../errors.js';

export const USER_AGENT = 'newsquote/0.1 (a Discord bot that quotes news articles; +https://www.npmjs.com/package/newsquote)';

export interface FetchLimits {
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  /** Allow private, loopback and link-local addresses (local use and tests). */
  allowPrivate: boolean;
  /** When fetching many links: the pause between two requests to one host (politeness), and how many hosts are fetched at once. */
  hostDelayMs: number;
  parallelHosts: number;
}

export const DEFAULT_LIMITS: FetchLimits = { timeoutMs: 10_000, maxBytes: 5 * 1024 * 1024, maxRedirects: 5, allowPrivate: false, hostDelayMs: 1000, parallelHosts: 4 };

export interface FetchedPage {
  /** The address after redirects. */
  url: string;
  body: string;
  contentType: string;
}

/** Only addresses on the public internet: not private, loopback, link-local, unspecified, reserved… */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'unicast';
}

const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 4);
    const blocked = addresses.find((a) => !isPublicAddress(a.address));
    if (blocked) return callback(new UserError(`${hostname} resolves to a private address (${blocked.address}); refused.`), '', 4);
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    return callback(null, addresses[0]!.address, addresses[0]!.family);
  });
};

const publicAgent = new Agent({ connect: { lookup: publicOnlyLookup } });
const anyAgent = new Agent();

/** Fetches a page or feed, following at most `maxRedirects` redirects, within the limits. */
export async function fetchPage(link: string, accept: RegExp, limits: FetchLimits = DEFAULT_LIMITS): Promise<FetchedPage> {
  let url = checkedUrl(link, limits);
  const deadline = AbortSignal.timeout(limits.timeoutMs);
  for (let hop = 0; ; hop++) {
    let response;
    try {
      response = await fetch(url, {
        redirect: 'manual',
        signal: deadline,
        dispatcher: limits.allowPrivate ? anyAgent : publicAgent,
        headers: { 'user-agent': USER_AGENT, accept: 'text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,application/xml;q=0.9,*/*;q=0.5' },
      });
    } catch (error) {
      throw new UserError(`${link}: ${fetchFailure(error, limits)}`);
    }
    if ([301, 302, 303, 307, 308].includes(response.status)) {
      const location = response.headers.get('location');
      await response.body?.cancel();
      if (!location) throw new UserError(`${link}: redirect without a location`);
      if (hop + 1 > limits.maxRedirects) throw new UserError(`${link}: more than ${limits.maxRedirects} redirects`);
      url = checkedUrl(new URL(location, url).href, limits);
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new UserError(`${link}: the server answered ${response.status} ${response.statusText}`.trim());
    }
    const contentType = response.headers.get('content-type') ?? '';
    if (!accept.test(contentType)) {
      await response.body?.cancel();
      throw new UserError(`${link}: not a page I can read (content type ${contentType || 'missing'})`);
    }
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > limits.maxBytes) {
      await response.body?.cancel();
      throw new UserError(`${link}: too large (${declared} bytes; the limit is ${limits.maxBytes})`);
    }
    const body = await readCapped(response.body, limits.maxBytes, link).catch((error: unknown) => {
      if (error instanceof UserError) throw error;
      throw new UserError(`${link}: ${fetchFailure(error, limits)}`);
    });
    return { url, body, contentType };
  }
}

function checkedUrl(link: string, limits: FetchLimits): string {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    throw new UserError(`Not a valid link: ${link}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UserError(`Only http and https links can be added: ${link}`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!limits.allowPrivate && (host === 'localhost' || host.endsWith('.localhost') || (ipaddr.isValid(host) && !isPublicAddress(host)))) {
    throw new UserError(`${link}: private, loopback and link-local addresses are refused`);
  }
  return url.href;
}

async function readCapped(body: { getReader(): { read(): Promise<{ done: boolean; value?: Uint8Array }>; cancel(): Promise<void> } } | null, maxBytes: number, link: string): Promise<string> {
  if (!body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done || !value) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new UserError(`${link}: too large (over ${maxBytes} bytes)`);
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8').decode(Buffer.concat(chunks));
}

function fetchFailure(error: unknown, limits: FetchLimits): string {
  const err = error as Error & { cause?: Error & { code?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `no complete answer within ${limits.timeoutMs / 1000} s`;
  if (err.cause instanceof UserError) return err.cause.message;
  if (err.cause?.code === 'ENOTFOUND') return 'the host does not exist';
  if (err.cause?.code === 'ECONNREFUSED') return 'the connection was refused';
  return err.cause?.message ?? err.message;
}
