// IP addresses and CIDR ranges, as resource policies (aws:SourceIp) and the trusted-proxy
// setting write them. Parsed once (config load, option parsing) into node:net BlockLists, which
// match IPv4 and IPv6 and treat an IPv4-mapped IPv6 address (::ffff:10.0.0.1) as its IPv4 address.
//
// Addresses reported by Tollgate ($context.identity.sourceIp, the namespace index) are
// normalized: an IPv4-mapped IPv6 address becomes its dotted IPv4 form, IPv6 is lower-cased.
import { BlockList, isIP } from 'node:net'

export interface Cidr {
  readonly address: string
  readonly prefix: number
  readonly family: 'ipv4' | 'ipv6'
}

const MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i

/** "::ffff:10.0.0.1" → "10.0.0.1"; IPv6 lower-cased; anything else as is. */
export function normalizeIp(ip: string): string {
  if (ip.length > 7 && ip.charCodeAt(0) === 58 /* : */) {
    const mapped = MAPPED.exec(ip)
    if (mapped !== null) return mapped[1]!
    return ip.toLowerCase()
  }
  return ip.includes(':') ? ip.toLowerCase() : ip
}

/** The family of a (normalized) address, or null when it is not one. */
export function ipFamily(ip: string): 'ipv4' | 'ipv6' | null {
  const v = isIP(ip)
  return v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : null
}

/**
 * Parses "10.0.0.0/8", "2001:db8::/32" or a bare address (a /32 or /128 range, as IAM reads a
 * bare aws:SourceIp value). Returns a reason when it is not one.
 */
export function parseCidr(text: string): Cidr | string {
  const slash = text.indexOf('/')
  const address = normalizeIp(slash === -1 ? text.trim() : text.slice(0, slash).trim())
  const family = ipFamily(address)
  if (family === null) return `${JSON.stringify(text)} is not an IP address or CIDR range`
  const max = family === 'ipv4' ? 32 : 128
  if (slash === -1) return { address, prefix: max, family }
  const prefixText = text.slice(slash + 1).trim()
  const prefix = Number(prefixText)
  if (!/^\d{1,3}$/.test(prefixText) || prefix > max) return `${JSON.stringify(text)}: the prefix length must be 0 to ${max}`
  return { address, prefix, family }
}

/**
 * A set of ranges, matched against one address at a time. IPv4 and IPv6 ranges are kept apart:
 * an IPv4 caller is matched against IPv4 ranges only (a BlockList would also match it against
 * ::/0 through its mapped form), an IPv6 caller against IPv6 ranges.
 */
export class IpRanges {
  private readonly v4 = new BlockList()
  private readonly v6 = new BlockList()
  readonly size: number

  constructor(ranges: readonly Cidr[]) {
    for (const r of ranges) (r.family === 'ipv4' ? this.v4 : this.v6).addSubnet(r.address, r.prefix, r.family)
    this.size = ranges.length
  }

  /** True when `ip` (any spelling, IPv4-mapped included) is in one of the ranges; false for a non-address. */
  contains(ip: string): boolean {
    if (this.size === 0) return false
    const address = normalizeIp(ip)
    const family = ipFamily(address)
    if (family === 'ipv4') return this.v4.check(address, 'ipv4')
    return family === 'ipv6' && this.v6.check(address, 'ipv6')
  }
}

/** Parses a list of ranges; throws with every bad entry named (used where a mistake is fatal, e.g. options). */
export function ipRanges(texts: readonly string[]): IpRanges {
  const parsed: Cidr[] = []
  const bad: string[] = []
  for (const t of texts) {
    const r = parseCidr(t)
    if (typeof r === 'string') bad.push(r)
    else parsed.push(r)
  }
  if (bad.length > 0) throw new Error(bad.join('; '))
  return new IpRanges(parsed)
}
