// Web vitals per page and variant: the SDK's lazily loaded chunk reports LCP, CLS and INP as
// `Web Vitals` track events; results are the 75th percentile, as Google's Core Web Vitals report them.

export { VITALS_EVENT } from '../../../contract/names'
const METRICS = ['LCP', 'CLS', 'INP'] as const
export type VitalMetric = (typeof METRICS)[number]

export type VitalSample = { page: string; experiences: string; metric: VitalMetric; value: number }

/** A stored event's properties as a sample, or null when they are not a vital. */
export function toSample(properties: Record<string, unknown> | null): VitalSample | null {
  const metric = properties?.metric
  const value = Number(properties?.value)
  if (typeof metric !== 'string' || !(METRICS as readonly string[]).includes(metric) || !Number.isFinite(value) || value < 0) return null
  return {
    metric: metric as VitalMetric,
    value,
    page: typeof properties?.page === 'string' ? properties.page.slice(0, 300) : '(unknown)',
    experiences: typeof properties?.experiences === 'string' && properties.experiences ? properties.experiences.slice(0, 500) : 'none',
  }
}

/** Nearest-rank percentile of unsorted values. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

export type VitalsRow = { page: string; experiences: string } & Record<VitalMetric, { p75: number | null; count: number }>

export function summarizeVitals(samples: readonly VitalSample[]): VitalsRow[] {
  const groups = new Map<string, VitalSample[]>()
  for (const sample of samples) {
    const key = `${sample.page}\u0000${sample.experiences}`
    groups.set(key, [...(groups.get(key) ?? []), sample])
  }
  return [...groups.values()].map((group) => {
    const row = { page: group[0]!.page, experiences: group[0]!.experiences } as VitalsRow
    for (const metric of METRICS) {
      const values = group.filter((s) => s.metric === metric).map((s) => s.value)
      row[metric] = { p75: percentile(values, 75), count: values.length }
    }
    return row
  })
}
