// Message-match coverage as numbers: the share of ad groups and ads landing on a dedicated experience.
import { matchAd, type AdInput } from '../ads'
import type { Experience } from '../experiences'

export type CoverageCounts = { adGroups: number; adGroupsCovered: number; ads: number; adsCovered: number; mismatches: number }

export function coverageCounts(ads: readonly AdInput[], experiences: readonly Experience[]): CoverageCounts {
  const groups = new Map<string, boolean>()
  let adsCovered = 0
  let mismatches = 0
  for (const ad of ads) {
    const match = matchAd(ad, experiences)
    const key = `${ad.campaign}\u0000${ad.adGroup}`
    groups.set(key, (groups.get(key) ?? true) && match.dedicated)
    if (match.dedicated) adsCovered += 1
    if (match.mismatch) mismatches += 1
  }
  return { adGroups: groups.size, adGroupsCovered: [...groups.values()].filter(Boolean).length, ads: ads.length, adsCovered, mismatches }
}

/** A share rounded to 3 decimals, 0 when there is nothing to cover. */
export const share = (n: number, d: number) => (d === 0 ? 0 : Math.round((n / d) * 1000) / 1000)
