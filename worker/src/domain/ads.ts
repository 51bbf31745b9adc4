// Ads and message match: which ads land on a dedicated experience, and whether the headline a visitor
// from the ad is served shares a keyword with the ad.
import { z } from 'zod'
import { decide, type Experience } from './experiences'

const Keywords = z.array(z.string().trim().min(1).max(200)).max(200)

export const AdInput = z
  .object({
    campaign: z.string().trim().min(1).max(200),
    adGroup: z.string().trim().min(1).max(200),
    name: z.string().trim().min(1).max(200),
    headline: z.string().trim().min(1).max(300),
    keywords: Keywords.default([]),
    finalUrl: z.string().url().max(4096).refine((u) => /^https?:/i.test(u), 'an http(s) URL'),
  })
  .strict()
export type AdInput = z.infer<typeof AdInput>

export const AdBatch = z.object({ ads: z.array(AdInput).min(1).max(1000) }).strict()

export type Ad = AdInput & { id: string }

/** RFC 4180 CSV: quoted fields, doubled quotes, commas and newlines inside quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++
      else if (ch === '"') quoted = false
      else field += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') row.push(field), (field = '')
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++
      row.push(field)
      rows.push(row)
      row = []
      field = ''
    } else field += ch
  }
  if (field !== '' || row.length > 0) row.push(field), rows.push(row)
  return rows.filter((r) => r.some((cell) => cell.trim() !== ''))
}

const HEADER_ALIASES: Record<string, keyof AdInput> = {
  campaign: 'campaign',
  'ad group': 'adGroup',
  ad_group: 'adGroup',
  adgroup: 'adGroup',
  ad: 'name',
  'ad name': 'name',
  name: 'name',
  headline: 'headline',
  keywords: 'keywords',
  'final url': 'finalUrl',
  final_url: 'finalUrl',
  finalurl: 'finalUrl',
}

export type CsvImport = { ads: AdInput[]; errors: Array<{ line: number; message: string }> }

/** Reads an ads export (header row: campaign, ad group, ad, headline, keywords, final url). */
export function adsFromCsv(text: string): CsvImport {
  const [header, ...rows] = parseCsv(text)
  if (!header) return { ads: [], errors: [{ line: 1, message: 'the file is empty' }] }
  const columns = header.map((name) => HEADER_ALIASES[name.trim().toLowerCase()])
  const missing = (['campaign', 'adGroup', 'name', 'headline', 'finalUrl'] as const).filter((c) => !columns.includes(c))
  if (missing.length) return { ads: [], errors: [{ line: 1, message: `missing columns: ${missing.join(', ')}` }] }
  const ads: AdInput[] = []
  const errors: CsvImport['errors'] = []
  rows.forEach((cells, index) => {
    const raw: Record<string, unknown> = {}
    columns.forEach((column, i) => {
      if (!column) return
      const cell = (cells[i] ?? '').trim()
      raw[column] = column === 'keywords' ? cell.split(/[;|\n]/).map((k) => k.trim()).filter(Boolean) : cell
    })
    const parsed = AdInput.safeParse(raw)
    if (parsed.success) ads.push(parsed.data)
    else errors.push({ line: index + 2, message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') })
  })
  return { ads, errors }
}

const STOP_WORDS = new Set(['a', 'an', 'and', 'at', 'for', 'in', 'of', 'on', 'or', 'the', 'to', 'with', 'your', 'you', 'off', 'now', 'get'])

export function words(text: string): Set<string> {
  const plain = text.replace(/<[^>]*>/g, ' ').replace(/&[a-z#0-9]+;/gi, ' ').toLowerCase()
  return new Set(plain.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 1 && !STOP_WORDS.has(w)))
}

export type AdMatch = {
  experienceId: string | null
  dedicated: boolean
  servedHeadline: string | null
  sharedKeywords: string[]
  mismatch: boolean
}

/** A targeted audience names the ad's traffic (a UTM field or a specific path), not every visitor. */
const isTargeted = (e: Experience) => !!(e.match.utm && Object.keys(e.match.utm).length > 0) || !!(e.match.path && e.match.path !== '*')

/**
 * The URL a click lands on: Google Ads fills the ValueTrack `{keyword}` placeholder with the keyword that
 * showed the ad (its first keyword stands for all here); other placeholders stay and read as absent.
 */
const landingUrlOf = (ad: AdInput) =>
  ad.keywords[0] ? ad.finalUrl.replace(/\{keyword\}|%7Bkeyword%7D/gi, encodeURIComponent(ad.keywords[0])) : ad.finalUrl

/** What a visitor clicking the ad sees, and whether it says what the ad said. */
export function matchAd(ad: AdInput, experiences: readonly Experience[]): AdMatch {
  const decision = decide(experiences, {
    url: new URL(landingUrlOf(ad)),
    referrer: null,
    device: 'desktop',
    country: null,
    visitorId: null,
    lead: null,
    exposed: new Map(),
  })
  const chosen = decision.experiences.map((d) => experiences.find((e) => e.id === d.id)!).filter(Boolean)
  const dedicated = chosen.find(isTargeted) ?? null
  const servedHeadline = decision.slots.headline ?? null
  const adWords = new Set([...ad.keywords.flatMap((k) => [...words(k)])])
  const shared = servedHeadline ? [...words(servedHeadline)].filter((w) => adWords.has(w)) : []
  return {
    experienceId: dedicated?.id ?? chosen[0]?.id ?? null,
    dedicated: dedicated !== null,
    servedHeadline,
    sharedKeywords: shared,
    // Without a served headline the page's default shows, which Cairn cannot read: not flagged.
    mismatch: servedHeadline !== null && adWords.size > 0 && shared.length === 0,
  }
}

export type CoverageRow = Pick<Ad, 'id' | 'campaign' | 'adGroup' | 'name' | 'headline' | 'finalUrl'> & AdMatch
export type Coverage = {
  adGroups: { total: number; covered: number; share: number }
  ads: { total: number; covered: number; share: number }
  coverage: number
  mismatches: number
  report: CoverageRow[]
}

const share = (n: number, d: number) => (d === 0 ? 0 : Math.round((n / d) * 1000) / 1000)

/** Message-match coverage: an ad group is covered when every one of its ads lands on a dedicated experience. */
export function coverageReport(ads: readonly Ad[], experiences: readonly Experience[]): Coverage {
  const report = ads.map((ad) => ({ id: ad.id, campaign: ad.campaign, adGroup: ad.adGroup, name: ad.name, headline: ad.headline, finalUrl: ad.finalUrl, ...matchAd(ad, experiences) }))
  const groups = new Map<string, boolean>()
  for (const ad of report) {
    const key = `${ad.campaign}\u0000${ad.adGroup}`
    groups.set(key, (groups.get(key) ?? true) && ad.dedicated)
  }
  const coveredAds = report.filter((a) => a.dedicated).length
  const coveredGroups = [...groups.values()].filter(Boolean).length
  return {
    adGroups: { total: groups.size, covered: coveredGroups, share: share(coveredGroups, groups.size) },
    ads: { total: report.length, covered: coveredAds, share: share(coveredAds, report.length) },
    coverage: share(coveredGroups + coveredAds, groups.size + report.length),
    mismatches: report.filter((a) => a.mismatch).length,
    report,
  }
}
