// Experiment results: exposures and conversions per arm, each variant compared with the held-out control.
import { CONTROL, type Variant } from './experiences'
import { compareToBaseline, rate, type ArmCounts } from './stats'

/** Counts of one experience arm (a variant id or `control`). */
export type ArmRow = { experienceId: string; variantId: string } & ArmCounts

export type ResultsExperience = { id: string; name: string; goal: string | null; status: string; control: number; variants: readonly Pick<Variant, 'id' | 'name'>[] }

export function experimentResults(experiences: readonly ResultsExperience[], arms: readonly ArmRow[]) {
  const countsOf = (experienceId: string, variantId: string): ArmCounts => {
    const arm = arms.find((a) => a.experienceId === experienceId && a.variantId === variantId)
    return { exposures: arm?.exposures ?? 0, conversions: arm?.conversions ?? 0 }
  }
  return experiences.map((experience) => {
    const control = countsOf(experience.id, CONTROL)
    const arm = (id: string, name: string) => {
      const counts = countsOf(experience.id, id)
      return { id, name, ...counts, conversionRate: rate(counts), ...(id === CONTROL ? {} : compareToBaseline(counts, control)) }
    }
    return {
      id: experience.id,
      name: experience.name,
      goal: experience.goal,
      status: experience.status,
      controlPercent: experience.control,
      control: arm(CONTROL, 'Control'),
      variants: experience.variants.map((v) => arm(v.id, v.name)),
    }
  })
}
