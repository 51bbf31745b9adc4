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

/** RFC 4180 CSV (or TSV with `delimiter` = tab): quoted fields, doubled quotes, delimiters and newlines inside quotes. */
export function parseCsv(text: string, delimiter = ','): string[][] {
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
    else if (ch === delimiter) row.push(field), (field = '')
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

type AdColumn = keyof AdInput | 'adId'

/** Our own column names and those of Google Ads and Microsoft Advertising exports (Editor and reports). */
const HEADER_ALIASES: Record<string, AdColumn> = {
  campaign: 'campaign',
  'campaign name': 'campaign',
  'ad group': 'adGroup',
  ad_group: 'adGroup',
  adgroup: 'adGroup',
  'ad group name': 'adGroup',
  ad: 'name',
  'ad name': 'name',
  name: 'name',
  'ad id': 'adId',
  id: 'adId',
  headline: 'headline',
  'headline 1': 'headline',
  'title part 1': 'headline',
  'ad title': 'headline',
  keywords: 'keywords',
  keyword: 'keywords',
  'search keyword': 'keywords',
  'final url': 'finalUrl',
  'final urls': 'finalUrl',
  final_url: 'finalUrl',
  finalurl: 'finalUrl',
}

/** `[black friday crm]`, `"crm"` and `+crm` (match-type marks of ad platforms) → the plain keyword. */
const plainKeyword = (keyword: string) => keyword.replace(/^[[\]"'+\s]+|[[\]"'\s]+$/g, '').replace(/\s\+/g, ' ').trim()

export type CsvImport = { ads: AdInput[]; errors: Array<{ line: number; message: string }> }

const REQUIRED = ['campaign', 'adGroup', 'headline', 'finalUrl'] as const

/**
 * Reads an ads export: our CSV (campaign, ad group, ad, headline, keywords, final url) or a Google Ads /
 * Microsoft Advertising export, CSV or TSV, title rows above the header allowed. Rows with a keyword but no
 * ad (keyword rows of Editor exports) give their keyword to every ad of their ad group; an ad without a
 * name is named by its ad id, else its first headline.
 */
export function adsFromCsv(text: string): CsvImport {
  const clean = text.replace(/^\uFEFF/, '')
  const firstLine = clean.slice(0, clean.search(/\r?\n|$/))
  const rows = parseCsv(clean, firstLine.includes('\t') || /\t/.test(clean.slice(0, 2000)) ? '\t' : ',')
  if (rows.length === 0) return { ads: [], errors: [{ line: 1, message: 'the file is empty' }] }
  const columnsOf = (row: string[]) => row.map((name) => HEADER_ALIASES[name.trim().toLowerCase()])
  // Reports start with a title and a date range: the header is the first row naming the campaign column.
  const headerIndex = Math.max(0, rows.findIndex((row) => columnsOf(row).includes('campaign')))
  const columns = columnsOf(rows[headerIndex]!)
  const missing = REQUIRED.filter((c) => !columns.includes(c))
  if (missing.length) return { ads: [], errors: [{ line: headerIndex + 1, message: `missing columns: ${missing.join(', ')}` }] }
  const drafts: Array<{ line: number; raw: Record<string, unknown> }> = []
  const groupKeywords = new Map<string, string[]>()
  const errors: CsvImport['errors'] = []
  rows.slice(headerIndex + 1).forEach((cells, index) => {
    const raw: Record<string, string> = {}
    columns.forEach((column, i) => {
      if (column && raw[column] === undefined) raw[column] = (cells[i] ?? '').trim()
    })
    const keywords = (raw.keywords ?? '').split(/[;|\n]/).map(plainKeyword).filter(Boolean)
    const group = `${raw.campaign}\u0000${raw.adGroup}`
    if (!raw.headline && !raw.finalUrl && keywords.length > 0) {
      groupKeywords.set(group, [...(groupKeywords.get(group) ?? []), ...keywords])
      return
    }
    const name = raw.name || raw.adId || raw.headline
    drafts.push({ line: headerIndex + index + 2, raw: { campaign: raw.campaign, adGroup: raw.adGroup, name, headline: raw.headline, finalUrl: raw.finalUrl, keywords, group } })
  })
  const ads: AdInput[] = []
  for (const { line, raw } of drafts) {
    const { group, keywords, ...ad } = raw as { group: string; keywords: string[] } & Record<string, unknown>
    const parsed = AdInput.safeParse({ ...ad, keywords: [...new Set([...keywords, ...(groupKeywords.get(group) ?? [])])] })
    if (parsed.success) ads.push(parsed.data)
    else errors.push({ line, message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') })
  }
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
